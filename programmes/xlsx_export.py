"""xlsx exports with openpyxl's write-only mode: rows go straight to a temporary file, so memory stays flat.

Cells may be ``str``, ``int``, ``float``, ``Decimal``, ``date``, ``datetime``, ``bool`` or ``None``. Datetimes are
shown in Asia/Shanghai without a zone (Excel has none; naive ones are taken as UTC, as the project stores them).
Text is made safe: characters XML 1.0 forbids are removed, text that a spreadsheet would run as a formula (starting
with ``= + - @``, tab or carriage return) gets a leading ``'``, and anything past Excel's 32,767-character cell limit
is cut. See docs/attachments-and-exports.md.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import unicodedata
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell = str | int | float | Decimal | date | datetime | bool | None
Row = Sequence[Cell]
ProgressCallback = Callable[[int], object]
"""Called with the number of data rows written so far; may return an awaitable in the async variant."""

PROGRESS_EVERY = 1000
MAX_CELL_CHARS = 32_767
TRUNCATED_MARK = "…（内容过长，已截断）"
EXCEL_EXACT_INT = 10**15  # Excel keeps 15 significant digits; longer integers (ID numbers...) are written as text
DEFAULT_SHEET_TITLE = "导出"
SHANGHAI = ZoneInfo("Asia/Shanghai")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these (openpyxl raises IllegalCharacterError for most); lone surrogates cannot be encoded at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def clean_text(value: str) -> str:
    """Text safe for a cell: illegal XML characters removed, formula-like text quoted, Excel's length limit kept."""
    text = _ILLEGAL_XML.sub("", value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(TRUNCATED_MARK)] + TRUNCATED_MARK
    return text


def excel_datetime(moment: datetime) -> datetime:
    """Asia/Shanghai wall-clock time without a zone; naive input is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).replace(tzinfo=None)


def to_cell(value: Cell, sheet: WriteOnlyWorksheet) -> object:
    """The value (or a typed WriteOnlyCell) openpyxl should write for ``value``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = clean_text(value)
        if text in ERROR_CODES:  # "#N/A" typed by a person is text, not an Excel error value
            cell = WriteOnlyCell(sheet, text)
            cell.data_type = "s"
            return cell
        return text
    if isinstance(value, int):
        return value if abs(value) < EXCEL_EXACT_INT else str(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return excel_datetime(value)
    if isinstance(value, date):
        return value
    raise TypeError(f"cannot export a {type(value).__name__} to xlsx: {value!r}")


def sheet_title_for(title: str) -> str:
    """Excel's rules: 1–31 characters, none of ``[]:*?/\\``, not starting or ending with an apostrophe."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub("_", _ILLEGAL_XML.sub("", title)).strip().strip("'")
    return cleaned[:31].strip().strip("'") or DEFAULT_SHEET_TITLE


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class XlsxWriter:
    """One sheet, written row by row in constant memory. Use :func:`write_xlsx` and friends unless you need rows
    from several places; call :meth:`save` exactly once."""

    def __init__(
        self,
        headers: Sequence[str],
        sheet_title: str = DEFAULT_SHEET_TITLE,
        number_formats: dict[int, str] | None = None,
    ) -> None:
        if not headers:
            raise ValueError("an export needs at least one column")
        self.workbook = Workbook(write_only=True)
        self.sheet: WriteOnlyWorksheet = self.workbook.create_sheet(sheet_title_for(sheet_title))
        self.columns = len(headers)
        self.rows_written = 0
        self.number_formats = number_formats or {}
        _write_header(self.sheet, headers)

    def append(self, row: Row) -> None:
        if len(row) > self.columns:
            raise ValueError(f"row {self.rows_written + 1} has {len(row)} cells for {self.columns} columns")
        self.sheet.append(_cells(self.sheet, row, self.number_formats))
        self.rows_written += 1

    def save(self, target: str | os.PathLike[str] | IO[bytes]) -> None:
        self.workbook.save(target)

    def discard(self) -> None:
        """Abandon an unfinished export: end the sheet's stream and remove openpyxl's temporary file."""
        with contextlib.suppress(Exception):
            self.sheet.close()
        writer = getattr(self.sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()


def _write_header(sheet: Any, headers: Sequence[str]) -> None:
    """Bold header row, frozen, columns as wide as their labels (CJK characters count double)."""
    labels = [clean_text(header) for header in headers]
    for index, label in enumerate(labels, start=1):
        width = min(max(_display_width(label) + 2, 10), 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, label)
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)


def _cells(sheet: WriteOnlyWorksheet, row: Row, number_formats: dict[int, str]) -> list[object]:
    """The row's cells; numbers and times in a column of ``number_formats`` carry that Excel format."""
    cells = []
    for index, value in enumerate(row):
        cell = to_cell(value, sheet)
        number_format = number_formats.get(index)
        if number_format and isinstance(cell, int | float | Decimal | date) and not isinstance(cell, bool):
            cell = WriteOnlyCell(sheet, cell)  # type: ignore[arg-type]  # openpyxl's stubs omit Decimal
            cell.number_format = number_format
        cells.append(cell)
    return cells


@dataclass(frozen=True)
class Sheet:
    """One sheet of a small multi-sheet workbook; ``number_formats`` maps a column index to an Excel format
    (e.g. ``"#,##0.00"`` for yuan), so amounts stay numbers a spreadsheet can add up."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Row]
    number_formats: dict[int, str] = field(default_factory=dict)


def write_sheets_file(path: Path, sheets: Sequence[Sheet]) -> int:
    """Several sheets into ``path`` (atomically, like :func:`write_xlsx_file`); returns the number of data rows.
    Blocking, and meant for summaries that fit in memory."""
    workbook = Workbook(write_only=True)
    count = 0
    for spec in sheets:
        sheet: WriteOnlyWorksheet = workbook.create_sheet(sheet_title_for(spec.title))
        _write_header(sheet, spec.headers)
        for row in spec.rows:
            sheet.append(_cells(sheet, row, spec.number_formats))
            count += 1
    tmp = _temporary_sibling(path)
    try:
        workbook.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _notify(on_progress: ProgressCallback | None, done: int, every: int) -> bool:
    if on_progress is not None and done % every == 0:
        on_progress(done)
        return True
    return False


def _write_rows(writer: XlsxWriter, rows: Iterable[Row], on_progress: ProgressCallback | None, every: int) -> int:
    reported = False
    for row in rows:
        writer.append(row)
        reported = _notify(on_progress, writer.rows_written, every)
    if on_progress is not None and not reported:
        on_progress(writer.rows_written)  # the final count is always reported
    return writer.rows_written


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Row],
    sheet_title: str = DEFAULT_SHEET_TITLE,
    *,
    on_progress: ProgressCallback | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> bytes:
    """The whole workbook as bytes: for exports small enough to answer a request directly."""
    buffer = io.BytesIO()
    with XlsxWriter(headers, sheet_title) as writer:
        _write_rows(writer, rows, on_progress, progress_every)
        writer.save(buffer)
    return buffer.getvalue()


def _temporary_sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")


def write_xlsx_file(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Row],
    sheet_title: str = DEFAULT_SHEET_TITLE,
    *,
    on_progress: ProgressCallback | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """Write to ``path`` (atomically: a temporary sibling, then ``os.replace``); returns the number of data rows.
    Blocking: from async code use :func:`write_xlsx_file_async` or run it in a thread."""
    tmp = _temporary_sibling(path)
    try:
        with XlsxWriter(headers, sheet_title) as writer:
            count = _write_rows(writer, rows, on_progress, progress_every)
            writer.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


async def write_xlsx_file_async(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Row] | AsyncIterable[Row],
    sheet_title: str = DEFAULT_SHEET_TITLE,
    *,
    on_progress: Callable[[int], Awaitable[object] | object] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """:func:`write_xlsx_file` for an arq job: rows may come from an async iterator (e.g. database pages); every
    ``progress_every`` rows are written in a worker thread and then ``await on_progress(done)`` (a plain function
    works too), so the event loop stays free. Returns the number of data rows."""
    writer = XlsxWriter(headers, sheet_title)
    tmp = _temporary_sibling(path)

    async def flush(batch: list[Row]) -> None:
        if not batch and writer.rows_written:
            return  # the last full batch has been reported already
        await to_thread.run_sync(_append_all, writer, batch)
        batch.clear()
        if on_progress is not None:
            result = on_progress(writer.rows_written)
            if isinstance(result, Awaitable):
                await result

    try:
        with writer:
            await _feed(rows, flush, progress_every)
            await to_thread.run_sync(writer.save, tmp)
        await to_thread.run_sync(os.replace, tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return writer.rows_written


async def _feed(
    rows: Iterable[Row] | AsyncIterable[Row], flush: Callable[[list[Row]], Awaitable[None]], every: int
) -> None:
    batch: list[Row] = []
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            batch.append(row)
            if len(batch) >= every:
                await flush(batch)
    else:
        for row in rows:
            batch.append(row)
            if len(batch) >= every:
                await flush(batch)
    await flush(batch)


def _append_all(writer: XlsxWriter, batch: list[Row]) -> None:
    for row in batch:
        writer.append(row)
