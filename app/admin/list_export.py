"""The Piccolo Admin list the officer is looking at, as xlsx (issue 16, task 8): every row of the current filter.

``GET /admin/tables/<table>/export.xlsx?<the query the list view sends to /admin/api/tables/<table>/>`` answers
with a workbook of every row matching those filters, in the list's order (``__order``), not just the page shown.

The rows are read by calling the admin's own list API inside the process, page by page, with the officer's own
request headers (session cookie): the district filter (``app.admin.scope.scoped_admin``), the city-only validators,
the masking of account numbers (``app.admin.masking``) and piccolo_api's filter parsing apply exactly as they do to
the list on screen, so there is no second scope rule here. Only one page of JSON is held at a time; rows go to
openpyxl's write-only sheet (a temporary file). The button calling this is ``app.admin.list_export_button``; why
it is built this way: docs/adr/0019-admin-list-export.md.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode

import anyio
from anyio import to_thread
from piccolo.columns import Boolean, Column, Date, ForeignKey, Timestamp, Timestamptz
from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig
from starlette.responses import RedirectResponse, Response, StreamingResponse

from app.admin.downloads import XLSX
from app.admin.labels import column_label, table_label
from app.admin.localised import RAW_ROWS
from app.admin.overview.sections import status_name
from app.admin.pages.html import OUTCOME_ZH, problem_page
from app.admin.scope import principal_from_session
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import now_utc, shown
from app.workflow.registry import binding_of, is_bound
from programmes.content_types import content_disposition
from programmes.exports.money import YUAN_FORMAT, yuan_cell
from programmes.xlsx_export import Cell, Row, XlsxWriter, sheet_title_for, to_cell

EXPORT_ROWS_MAX = 50_000  # a bigger list is cut here, and the workbook says so
PAGE_SIZE = 1000  # piccolo_api's max_page_size: the fewest internal list calls
TIME_FORMAT = "yyyy-mm-dd hh:mm"
_NOT_FOUND = "记录不存在或不在您的管辖范围内"
# Litestar's mount may or may not leave ``/admin`` in the path, and adds a trailing slash.
_EXPORT_PATH = re.compile(r"^(?P<prefix>(?:/admin)?)/tables/(?P<table>[a-z_]{1,63})/export\.xlsx/?$")
# The list's paging and shape are the export's own business: it asks for every page, with names (``__readable``).
_PAGING_PARAMS = frozenset({"__page", "__page_size", "__readable", "__visible_fields", "__range_header"})
_DROPPED_HEADERS = frozenset({b"accept-encoding", b"range", b"if-none-match", b"if-modified-since", b"content-length"})
_YES_NO = {True: "是", False: "否"}
_DISTRICTS_ZH = {district.value: name for district, name in DISTRICT_NAMES_ZH.items()}


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One visible list column: its Chinese header and how a row of the list API's JSON becomes its cell."""

    header: str
    cell: Callable[[dict[str, Any]], Cell]
    number_format: str | None = None


def _labelled(name: str, labels: Callable[[str], str]) -> Callable[[dict[str, Any]], Cell]:
    return lambda row: None if row.get(name) is None else labels(str(row[name]))


def _choices(column: Column) -> Callable[[str], str]:
    """Chinese names of a column's coded values: districts, workflow states, screening results, enum choices."""
    name = column._meta.name
    table: type[Table] = column._meta.table
    if column._meta.choices is District:
        return lambda code: _DISTRICTS_ZH.get(code, code)
    if is_bound(table) and name == binding_of(table).column:
        return lambda code: status_name(table._meta.tablename, code)
    if name == "eligibility_outcome":
        return lambda code: OUTCOME_ZH.get(code, code)
    by_value = {str(c["value"]): str(c["display_name"]) for c in (column._meta.get_choices_dict() or {}).values()}
    return lambda code: by_value.get(code, code)


def _is_coded(column: Column) -> bool:
    table: type[Table] = column._meta.table
    bound = is_bound(table) and column._meta.name == binding_of(table).column
    return column._meta.choices is not None or bound or column._meta.name == "eligibility_outcome"


def _coded(column: Column) -> Callable[[str], str]:
    """How a filter value of ``column`` reads: its Chinese name where the column holds codes, else as typed."""
    return _choices(column) if _is_coded(column) else str


def _moment(name: str) -> Callable[[dict[str, Any]], Cell]:
    def cell(row: dict[str, Any]) -> Cell:
        value = row.get(name)
        return datetime.fromisoformat(value) if isinstance(value, str) else None  # to_cell shows it in Beijing time

    return cell


def _day(name: str) -> Callable[[dict[str, Any]], Cell]:
    return lambda row: date.fromisoformat(row[name]) if isinstance(row.get(name), str) else None


def _text(name: str) -> Callable[[dict[str, Any]], Cell]:
    def cell(row: dict[str, Any]) -> Cell:
        value = row.get(name)
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value if value is None or isinstance(value, str | int | float | bool) else str(value)

    return cell


def export_column(column: Column) -> ExportColumn:
    """The cell of one column: names for references and codes, 元 for fen, Beijing time, 是/否."""
    name = column._meta.name
    header = column_label(column._meta.table._meta.tablename, name)
    if isinstance(column, ForeignKey):
        # ``__readable=true`` adds ``<name>_readable`` (the row's get_readable: a name, not an id).
        return ExportColumn(header, lambda row: row.get(f"{name}_readable") or row.get(name))
    if name.endswith("_fen"):
        header = header.removesuffix("（分）").removesuffix("(分)")
        return ExportColumn(
            f"{header}（元）", lambda row: None if row.get(name) is None else yuan_cell(int(row[name])), YUAN_FORMAT
        )
    if isinstance(column, Timestamptz | Timestamp):
        return ExportColumn(f"{header}（北京时间）", _moment(name), TIME_FORMAT)
    if isinstance(column, Date):
        return ExportColumn(header, _day(name), "yyyy-mm-dd")
    if isinstance(column, Boolean):
        return ExportColumn(header, lambda row: None if row.get(name) is None else _YES_NO[bool(row[name])])
    if _is_coded(column):
        return ExportColumn(header, _labelled(name, _choices(column)))
    return ExportColumn(header, _text(name))  # JSON arrives as its text, arrays as a list


@dataclass(frozen=True, slots=True)
class ListedTable:
    """A menu table as its list shows it: the visible columns (secrets never leave the API)."""

    table: type[Table]
    columns: tuple[Column, ...]

    @classmethod
    def of(cls, config: TableConfig) -> ListedTable:
        visible = [c for c in config.get_visible_columns() if not c._meta.secret]
        return cls(config.table_class, tuple(visible))

    @property
    def tablename(self) -> str:
        return str(self.table._meta.tablename)


def list_params(query_string: bytes, table: type[Table]) -> list[tuple[str, str]]:
    """The list's filters and order, without its paging; the primary key ends the order, so pages never overlap."""
    params = [
        (k, v) for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if k not in _PAGING_PARAMS
    ]
    pk = table._meta.primary_key._meta.name
    order = next((v for k, v in params if k == "__order"), "")
    if pk not in {o.strip().lstrip("+-") for o in order.split(",")}:
        params = [(k, v) for k, v in params if k != "__order"]
        params.append(("__order", f"{order},{pk}" if order else f"-{pk}"))  # piccolo_api's own default: -pk
    return params


class InternalCall:
    """GET requests to the wrapped admin app inside the process, with the officer's request headers (session)."""

    def __init__(self, admin_app: Any, scope: dict[str, Any], api_prefix: str) -> None:
        self.admin_app = admin_app
        self.scope = scope
        self.api_prefix = api_prefix
        self.headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in _DROPPED_HEADERS]

    async def get(self, path: str, params: list[tuple[str, str]]) -> tuple[int, bytes]:
        full = f"{self.api_prefix}{path}"
        scope = {
            **self.scope,
            "method": "GET",
            "path": full,
            "raw_path": full.encode(),
            "query_string": urlencode(params).encode(),
            "headers": self.headers,
            RAW_ROWS: True,  # codes, fen and ISO times: this export formats them itself
        }
        status = 500
        body: list[bytes] = []
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await anyio.Event().wait()  # never a disconnect: the caller is this process
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.admin_app(scope, receive, send)
        return status, b"".join(body)


def _refusal(status: int, body: bytes) -> Response:
    """The list API's refusal as the admin pages show one: out of scope (or a city-only table) is the uniform 404."""
    if status == 401:
        return RedirectResponse("/admin/", status_code=303)
    if status in (403, 404):
        return problem_page(404, _NOT_FOUND)
    detail = ""
    try:
        answer = json.loads(body)
        detail = str(answer.get("detail") or answer.get("error") or "") if isinstance(answer, dict) else ""
    except ValueError:
        detail = body.decode(errors="replace")[:200]
    return problem_page(400 if status < 500 else 500, f"无法按当前筛选导出：{detail or '筛选条件无效'}")


_OPERATORS_ZH = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "e": "="}
_NULL_ZH = {"is_null": "为空", "not_null": "不为空"}
_MATCH_ZH = {"contains": "包含", "starts": "开头为", "ends": "结尾为", "exact": "="}


def _filters_zh(listed: ListedTable, params: list[tuple[str, str]]) -> tuple[str, str]:
    """The filters and the order as an officer reads them: 「状态=已提交」, 「提交时间 降序」."""
    columns = {c._meta.name: c for c in listed.table._meta.columns}
    operators = {k.removesuffix("__operator"): v for k, v in params if k.endswith("__operator")}
    matches = {k.removesuffix("__match"): v for k, v in params if k.endswith("__match")}
    filters: list[str] = []
    order = ""
    for key, value in params:
        if key == "__order":
            order = "，".join(
                f"{column_label(listed.tablename, o.lstrip('+-'))} {'降序' if o.startswith('-') else '升序'}"
                for o in value.split(",")
                if o.lstrip("+-") in columns
            )
        elif key.endswith("__operator") and value in _NULL_ZH and (base := key.removesuffix("__operator")) in columns:
            filters.append(f"{column_label(listed.tablename, base)}{_NULL_ZH[value]}")
        elif (base := key.removesuffix("[]")) in columns and value and operators.get(base) not in _NULL_ZH:
            sign = _MATCH_ZH.get(matches.get(base, ""), "") or _OPERATORS_ZH.get(operators.get(base, "e"), "=")
            filters.append(f"{column_label(listed.tablename, base)}{sign}{_coded(columns[base])(value)}")
    return "；".join(filters) or "（无筛选）", order or "（默认）"


def _append(writer: XlsxWriter, rows: list[Row]) -> None:
    for row in rows:
        writer.append(row)


async def _write_rows(call: InternalCall, listed: ListedTable, params: list[tuple[str, str]]) -> Response | IO[bytes]:
    """Every page of the list into a workbook (a temporary file), or the list API's refusal."""
    path = f"/tables/{listed.tablename}/"
    status, body = await call.get(f"{path}count/", [(k, v) for k, v in params if k != "__order"])
    if status != 200:
        return _refusal(status, body)
    total = int(json.loads(body)["count"])
    columns = [export_column(c) for c in listed.columns]
    formats = {i: c.number_format for i, c in enumerate(columns) if c.number_format}
    writer = XlsxWriter([c.header for c in columns], table_label(listed.tablename), formats)
    with writer:
        page = 1
        while writer.rows_written < min(total, EXPORT_ROWS_MAX):
            paging = [("__readable", "true"), ("__page_size", str(PAGE_SIZE)), ("__page", str(page))]
            status, body = await call.get(path, [*params, *paging])
            if status != 200:
                writer.discard()
                return _refusal(status, body)
            rows: list[dict[str, Any]] = json.loads(body)["rows"][: EXPORT_ROWS_MAX - writer.rows_written]
            if not rows:
                break  # rows deleted while exporting
            cells: list[Row] = [[column.cell(row) for column in columns] for row in rows]
            await to_thread.run_sync(_append, writer, cells)
            page += 1
        exported = writer.rows_written
        if total > exported:
            writer.append([f"已达导出上限：共 {total:,} 行，只导出了前 {exported:,} 行，请缩小筛选范围后分批导出"])
        _about_sheet(writer, listed, params, total, exported)
        target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # streamed, then closed
        await to_thread.run_sync(writer.save, target)
    target.seek(0)
    return target


def _about_sheet(
    writer: XlsxWriter, listed: ListedTable, params: list[tuple[str, str]], total: int, exported: int
) -> None:
    """A second sheet saying what the workbook holds: which list, when, which filters, how many rows."""
    sheet = writer.workbook.create_sheet(sheet_title_for("导出说明"))
    filters, order = _filters_zh(listed, params)
    lines: list[tuple[str, Cell]] = [
        ("列表", table_label(listed.tablename)),
        ("导出时间（北京时间）", shown(now_utc()).strftime("%Y-%m-%d %H:%M")),
        ("筛选条件", filters),
        ("排序", order),
        ("符合筛选的行数", total),
        ("导出行数", exported),
    ]
    if total > exported:
        lines.append(("说明", f"超过导出上限 {EXPORT_ROWS_MAX:,} 行，只导出了前 {exported:,} 行，请缩小筛选范围"))
    for label, value in lines:
        sheet.append([to_cell(label, sheet), to_cell(value, sheet)])


async def _chunks(target: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await to_thread.run_sync(target.read, 64 * 1024):
            yield chunk
    finally:
        target.close()


async def _export(admin_app: Any, scope: dict[str, Any], prefix: str, listed: ListedTable) -> Response:
    principal = await principal_from_session(scope)
    if principal is None:
        return RedirectResponse("/admin/", status_code=303)
    if not principal.is_staff:
        return problem_page(403, "只有项目官员和管理员可以使用后台")
    params = list_params(scope.get("query_string", b""), listed.table)
    written = await _write_rows(InternalCall(admin_app, scope, f"{prefix}/api"), listed, params)
    if isinstance(written, Response):
        return written
    name = f"{table_label(listed.tablename)}-{shown(now_utc()).strftime('%Y%m%d-%H%M')}.xlsx"
    headers = {"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"}
    return StreamingResponse(_chunks(written), media_type=XLSX, headers=headers)


def list_exports(admin_app: Any, configs: list[TableConfig]) -> Any:
    """Wrap the admin ASGI app with ``GET /admin/tables/<table>/export.xlsx`` (its lists as xlsx, same scope)."""
    listed = {t.tablename: t for t in map(ListedTable.of, configs)}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _EXPORT_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "GET":
            await admin_app(scope, receive, send)
            return
        table = listed.get(match["table"])
        if table is None:
            response: Response = problem_page(404, _NOT_FOUND)
        else:
            response = await _export(admin_app, scope, match["prefix"], table)
        await response(scope, receive, send)

    return app
