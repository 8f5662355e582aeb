"""Bulk import of a street's demand list (需求清单) from xlsx, in the columns offices collect today.

A community account uploads its list; every row is checked exactly as the API checks one demand (the same
``DemandWrite`` schema, ``check_demand`` and tag rules) and problems are reported per row and column. Dry run
writes nothing; commit writes **all rows or none**: a list is one street's submission, and half a list imported
would leave the office guessing which rows to re-send (the report names every failing row, so they fix the file and
upload it again). Imported rows are drafts, tagged with one batch id, for the community to review and submit.
"""

from __future__ import annotations

import io
import secrets
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from app.auth.principal import Principal
from app.errors import DomainError, FieldError, invalid
from app.reference import DISTRICT_NAMES_ZH, District
from app.uow import unit_of_work
from app.validation_messages import pydantic_error
from app.workflow.engine import Actor
from programmes.matching import demands
from programmes.matching.schemas_demand import DemandWrite, ImportProblem, ImportReport
from programmes.matching.tables import FIELD_LABELS_ZH
from programmes.matching.tags import unusable_tags
from programmes.xlsx_export import Cell, write_xlsx

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500  # a street's list is tens of rows; 500 is generous and keeps one import one short transaction

# Column → the DemandWrite field it fills ("" for columns checked against the community, not stored as given).
COLUMNS: dict[str, str] = {
    "领域": "field",
    "标签": "tags",
    "需求名称": "title",
    "需求描述": "description",
    "区": "",
    "街镇": "",
    "对口地区": "paired_area",
    "服务对象": "beneficiary_group",
    "预计受益人数": "expected_beneficiaries",
    "开始日期": "period_start",
    "结束日期": "period_end",
    "预算下限(元)": "budget_min_fen",
    "预算上限(元)": "budget_max_fen",
    "需要机构数": "providers_wanted",
    "允许跨区": "cross_district",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
}
REQUIRED = ("领域", "需求名称", "开始日期", "结束日期")
COLUMN_OF_FIELD = {field: column for column, field in COLUMNS.items() if field}
FIELD_CODES = {label: code for code, label in FIELD_LABELS_ZH.items()}
YES = {"是", "允许", "y", "yes", "true", "1"}
NO = {"否", "不允许", "n", "no", "false", "0", ""}


class CellError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def template() -> bytes:
    """The empty list with one example row, for offices to fill in."""
    example: list[Cell] = [
        "社区治理", "为老服务", "老年人智能手机培训", "每周一次，教老年人使用智能手机就医、出行。", "长宁区",
        "江苏路街道", "", "社区老年人", 40, date(2027, 1, 1), date(2027, 3, 31), 5000, 10000, 1, "否", "王老师",
        "021-62512345",
    ]  # fmt: skip
    return write_xlsx(list(COLUMNS), [example], "需求清单")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise CellError("bad_date", "日期格式应为 2027-01-31") from None


def yuan_to_fen(value: Any) -> int | None:
    """An amount in 元 as people write it (「5000」「1,234.5」) → fen; the demand page reads the budget with it too."""
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError("bad_amount", "金额应为数字（元），最多两位小数") from None
    if not amount.is_finite():  # 「Infinity」 and 「NaN」 parse as Decimals; int() of them would be a 500
        raise CellError("bad_amount", "金额应为数字（元），最多两位小数")
    fen = amount * 100
    if fen != fen.to_integral_value() or amount < 0:
        raise CellError("bad_amount", "金额应为非负数（元），最多两位小数")
    return int(fen)


def _integer(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise CellError("bad_integer", "应为整数") from None


def _flag(value: Any) -> bool:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("bad_flag", "请填写「是」或「否」")


def _field(value: Any) -> str:
    text = _text(value)
    if text in FIELD_CODES:
        return FIELD_CODES[text]
    raise CellError("field_unknown", f"领域应为：{'、'.join(FIELD_CODES)}")


def _tags(value: Any, by_label: dict[str, str]) -> list[str]:
    parts = [p.strip() for p in _text(value).replace("，", ",").replace("、", ",").split(",") if p.strip()]
    return [by_label.get(part, part) for part in parts]  # a label or a code


PARSERS = {
    "field": _field,
    "period_start": _date,
    "period_end": _date,
    "budget_min_fen": yuan_to_fen,
    "budget_max_fen": yuan_to_fen,
    "expected_beneficiaries": _integer,
    "providers_wanted": _integer,
    "cross_district": _flag,
}


def _read_sheet(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    if len(content) > MAX_BYTES:
        raise DomainError("import_too_large", f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB", 413)
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx zip
        raise invalid(
            "import_unreadable", "无法读取 xlsx 文件，请使用需求清单模板（Excel 2007 及以上格式）", "file"
        ) from exc
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(_text(v) for v in values):
            rows.append((number, list(values)))
        if len(rows) > MAX_ROWS + 1:
            raise invalid("import_too_many_rows", f"一次最多导入 {MAX_ROWS} 条需求", "file")
    return rows


def _header(row: list[Any]) -> dict[str, int]:
    cells = [_text(v).replace("（", "(").replace("）", ")") for v in row]
    positions = {name: cells.index(name) for name in COLUMNS if name in cells}
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise invalid("import_columns_missing", f"缺少列：{'、'.join(missing)}（请使用需求清单模板）", "file")
    return positions


def _row_values(
    number: int, cells: list[Any], positions: dict[str, int], by_label: dict[str, str], community: dict[str, Any]
) -> tuple[dict[str, Any], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    values: dict[str, Any] = {}

    def cell(column: str) -> Any:
        index = positions.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    for column, field in COLUMNS.items():
        if not field or column not in positions:
            continue
        raw = cell(column)
        try:
            if field == "tags":
                values[field] = _tags(raw, by_label)
            elif field in PARSERS:
                parsed = PARSERS[field](raw)
                if parsed is not None:
                    values[field] = parsed
            elif _text(raw):
                values[field] = _text(raw)
        except CellError as exc:
            problems.append(ImportProblem(row=number, column=column, code=exc.code, message=str(exc)))
    district = _text(cell("区"))
    if district and District._missing_(district) != District(community["district"]):
        expected = DISTRICT_NAMES_ZH[District(community["district"])]
        problems.append(
            ImportProblem(
                row=number, column="区", code="district_mismatch", message=f"只能导入本社区所在区（{expected}）的需求"
            )
        )
    street = _text(cell("街镇"))
    if street and street != community["street"]:
        problems.append(
            ImportProblem(
                row=number,
                column="街镇",
                code="street_mismatch",
                message=f"只能导入本社区所在街镇（{community['street']}）的需求",
            )
        )
    return values, problems


def _schema_problems(number: int, exc: ValidationError) -> list[ImportProblem]:
    """The schema's errors in the API's words (``app.validation_messages``), named by the sheet's column."""
    problems = []
    for error in exc.errors():
        entry = pydantic_error(error)
        field = entry["field"].split(".")[0]
        code = "required" if entry["code"] == "missing" else entry["code"]
        column = COLUMN_OF_FIELD.get(field, field)
        problems.append(ImportProblem(row=number, column=column, code=code, message=entry["message"]))
    return problems


async def _tag_labels() -> dict[str, str]:
    from programmes.matching.tables import MatchingTag

    rows = await MatchingTag.select(MatchingTag.code, MatchingTag.label_zh)
    return {row["label_zh"]: row["code"] for row in rows}


def _problem(number: int, error: FieldError) -> ImportProblem:
    return ImportProblem(
        row=number, column=COLUMN_OF_FIELD.get(error.field, error.field), code=error.code, message=error.message
    )


async def import_list(principal: Principal, content: bytes, *, dry_run: bool) -> ImportReport:
    """A community account: check (``dry_run``) or import its street's list. Commit writes all rows or none."""
    community = await demands.caller_community(principal)
    table = _read_sheet(content)
    if not table:
        raise invalid("import_empty", "文件中没有数据", "file")
    positions = _header(table[0][1])
    by_label = await _tag_labels()
    checked: list[tuple[int, DemandWrite]] = []
    problems: list[ImportProblem] = []
    for number, cells in table[1:]:
        values, row_problems = _row_values(number, cells, positions, by_label, community)
        try:
            data = DemandWrite(**values)
        except ValidationError as exc:
            problems += row_problems + _schema_problems(number, exc)
            continue
        row_problems += [_problem(number, e) for e in demands.check_demand(data)]
        unknown, inactive = await unusable_tags(data.tags)
        if unknown:
            row_problems.append(
                ImportProblem(
                    row=number, column="标签", code="tag_unknown", message=f"标签不存在：{'、'.join(unknown)}"
                )
            )
        if inactive:
            row_problems.append(
                ImportProblem(
                    row=number, column="标签", code="tag_inactive", message=f"标签已停用：{'、'.join(inactive)}"
                )
            )
        problems += row_problems
        if not row_problems:
            checked.append((number, data))
    rows = len(table) - 1
    batch = f"xlsx-{secrets.token_hex(6)}"
    report = ImportReport(
        dry_run=dry_run,
        batch="" if dry_run else batch,
        rows=rows,
        valid_rows=len(checked),
        created=0,
        demand_ids=[],
        errors=problems,
    )
    if dry_run or problems or not checked:
        return report
    ids = []
    async with unit_of_work(Actor.of(principal)) as uow:
        for _, data in checked:
            ids.append(await demands.insert(principal, community, data, batch))
        await uow.audit("demand.import", "community", int(community["id"]), after={"batch": batch, "demand_ids": ids})
    return report.model_copy(update={"created": len(ids), "demand_ids": ids})
