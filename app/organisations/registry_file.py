"""Reading a 社会组织 registry extract (登记名录): xlsx (openpyxl) or CSV in UTF-8 or GBK, one organisation a row.

Layout (docs/operations.md): the first non-empty row is the header; columns are found by their Chinese names, in any
order, extra columns ignored:

    统一社会信用代码 | 名称 | 类型 | 登记日期 | 评估等级 | 等级有效期 | 证书有效期 | 登记管理机关

类型: 社会团体, 民办非企业单位 (or 社会服务机构), 基金会. 评估等级: 1A–5A (also 5A级, AAAAA), blank/无/未评估 = no
grade. Dates: 2024-03-01, 2024/3/1, 2024年3月1日 or an Excel date cell; blank = not on record. 登记管理机关 (or 区) is
kept for the report only. Pure: no database here, so the parser is tested on its own.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.organisations import credit_code
from app.organisations.tables import EvaluationGrade, OrganisationType

COLUMNS = {
    "credit_code": ("统一社会信用代码",),
    "name": ("名称", "社会组织名称"),
    "org_type": ("类型", "组织类型"),
    "registered_on": ("登记日期", "成立登记日期", "成立日期"),
    "evaluation_grade": ("评估等级",),
    "grade_valid_until": ("等级有效期", "评估等级有效期"),
    "certificate_expires_on": ("证书有效期", "登记证书有效期"),
    "authority": ("登记管理机关", "区", "登记管理机关/区"),
}
REQUIRED = ("credit_code", "name", "org_type")
TYPES = {
    "社会团体": OrganisationType.social_association,
    "民办非企业单位": OrganisationType.social_service_institution,
    "社会服务机构": OrganisationType.social_service_institution,
    "民办非企业单位（社会服务机构）": OrganisationType.social_service_institution,
    "基金会": OrganisationType.foundation,
}
NO_GRADE = {"", "无", "未评估", "none", "NONE", "-"}
MAX_ROWS = 100_000  # a whole city's registry is a few tens of thousands; more is not a registry extract


class RegistryFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header). Message in zh-CN."""


@dataclass(frozen=True)
class RegistryRow:
    row: int  # 1-based, as the spreadsheet shows it
    credit_code: str
    name: str
    org_type: OrganisationType
    facts: dict[str, Any]  # evaluation_grade (str), grade_valid_until, registered_on, certificate_expires_on
    authority: str = ""


@dataclass(frozen=True)
class RowProblem:
    row: int
    code: str  # bad_value, unknown_code, name_mismatch, type_mismatch, duplicate_row
    message: str
    credit_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "message": self.message, "credit_code": self.credit_code}


@dataclass
class RegistryFile:
    rows: list[RegistryRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read(content: bytes) -> RegistryFile:
    """Parse an xlsx or CSV file's bytes into rows and per-row problems (bad values, repeated codes)."""
    table = _xlsx(content) if content[:4] == b"PK\x03\x04" else _csv(content)
    return _rows(table)


def _xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx zip
        raise RegistryFileError("无法读取 xlsx 文件，请确认是 Excel 2007 及以上格式") from exc
    return [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]


def _csv(content: bytes) -> list[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file; UTF-8 first, it fails loudly
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegistryFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV，或 xlsx")
    if "\x00" in text:
        raise RegistryFileError("文件含有空字符，不是 CSV 文本")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","  # pasted from Excel: tab-separated
    return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def _header(table: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    for index, (_, values) in enumerate(table):
        cells = [_clean(v) for v in values]
        if not any(cells):
            continue
        positions = {}
        for key, names in COLUMNS.items():
            for name in names:
                if unicodedata.normalize("NFKC", name) in cells:
                    positions[key] = cells.index(unicodedata.normalize("NFKC", name))
                    break
        missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
        if missing:
            raise RegistryFileError(f"表头缺少列：{'、'.join(missing)}（第一行应为列名，见操作手册）")
        return index, positions
    raise RegistryFileError("文件是空的")


def _rows(table: list[tuple[int, list[Any]]]) -> RegistryFile:
    start, positions = _header(table)
    result = RegistryFile()
    seen: dict[str, int] = {}
    body = table[start + 1 :]
    if len(body) > MAX_ROWS:
        raise RegistryFileError(f"一次最多导入 {MAX_ROWS} 行")
    for number, values in body:
        cell = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if not any(_clean(v) for v in cell.values()):
            continue
        parsed = _row(number, cell)
        if isinstance(parsed, RowProblem):
            result.problems.append(parsed)
        elif parsed.credit_code in seen:
            result.problems.append(
                RowProblem(
                    number,
                    "duplicate_row",
                    f"统一社会信用代码与第 {seen[parsed.credit_code]} 行重复，本行未导入",
                    parsed.credit_code,
                )
            )
        else:
            seen[parsed.credit_code] = number
            result.rows.append(parsed)
    return result


def _row(number: int, cell: dict[str, Any]) -> RegistryRow | RowProblem:
    code = credit_code.normalise(_clean(cell["credit_code"]))
    bad: list[str] = []
    problem = credit_code.problem_with(code)
    if problem:
        bad.append(f"统一社会信用代码：{problem.message}")
    org_type = TYPES.get(_clean(cell["org_type"]))
    if org_type is None:
        bad.append(f"类型「{_clean(cell['org_type'])[:20]}」不是社会团体、民办非企业单位或基金会")
    elif not problem and (mismatch := credit_code.type_problem(code, org_type.value)):
        return RowProblem(number, "type_mismatch", f"类型与代码不符：{mismatch.message}", code)
    name = _clean(cell["name"])
    if not name or len(name) > 200:
        bad.append("名称为空或超过 200 字")
    facts: dict[str, Any] = {}
    grade = _grade(_clean(cell.get("evaluation_grade")))
    if grade is None:
        bad.append(f"评估等级「{_clean(cell.get('evaluation_grade'))[:20]}」应为 1A–5A 或留空")
    elif "evaluation_grade" in cell:
        facts["evaluation_grade"] = grade
    for key, label in (
        ("registered_on", "登记日期"),
        ("grade_valid_until", "等级有效期"),
        ("certificate_expires_on", "证书有效期"),
    ):
        if key not in cell:
            continue
        try:
            facts[key] = _date(cell[key])
        except ValueError:
            bad.append(f"{label}「{_clean(cell[key])[:20]}」不是日期（例如 2024-03-01）")
    if bad:
        shown = code if not problem else _clean(cell["credit_code"])[:40]
        return RowProblem(number, "bad_value", "；".join(bad), shown)
    assert org_type is not None
    return RegistryRow(number, code, name, org_type, facts, _clean(cell.get("authority"))[:100])


def _grade(text: str) -> str | None:
    if text in NO_GRADE:
        return EvaluationGrade.none.value
    text = text.upper().removesuffix("级")
    if re.fullmatch(r"A{1,5}", text):
        text = f"{len(text)}A"
    return text if text in {"1A", "2A", "3A", "4A", "5A"} else None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _clean(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))
