"""Piccolo Admin's lists as xlsx (``/admin/tables/<table>/export.xlsx``): the list's own filters and order, every
page, the officer's scope exactly as the list has it, Chinese headers, names, 元, Beijing time, masked accounts."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from app.admin import list_export
from app.admin.labels import COMMON_COLUMN_LABELS, column_label
from app.auth.tables import Role
from app.reference import District
from app.timezone import shown
from programmes.tables import Application, Award
from tests.factories.admin import AdminFactory, AdminSession, draft_batch
from tests.factories.reader import screening_round, user_of

NOT_FOUND = "记录不存在或不在您的管辖范围内"


async def _export(session: AdminSession, table: str, params: Any = None) -> httpx.Response:
    return await session.http.get(f"/admin/tables/{table}/export.xlsx", params=params)


def _sheets(response: httpx.Response) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """The data rows (header first) and the 导出说明 sheet as a dict."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    data, about = workbook.worksheets
    return list(data.iter_rows(values_only=True)), {str(k): v for k, v in about.iter_rows(values_only=True)}


def _ids(rows: list[tuple[Any, ...]]) -> list[int]:
    return [int(r[0]) for r in rows[1:]]


async def test_the_filters_and_order_of_the_list_are_the_exports(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    city = await screening_round(user_of(officer), None, count=3, title="社区助餐")
    other = await screening_round(user_of(officer), District.pudong, count=2, title="睦邻")
    first, second, third = city.application_ids
    await Application.update({Application.status: "rejected"}).where(Application.id == first)

    rows, about = _sheets(await _export(officer, "application", {"round": city.round_id, "__order": "-id"}))
    assert _ids(rows) == [third, second, first]
    rows, _ = _sheets(await _export(officer, "application", {"round": city.round_id, "status": "submitted"}))
    assert _ids(rows) == [third, second]  # no order sent: piccolo_api's own default, newest first
    rows, _ = _sheets(await _export(officer, "application", {"organisation_district": "pudong", "__order": "id"}))
    assert _ids(rows) == other.application_ids
    rows, about = _sheets(await _export(officer, "application", {"scope_district": "pudong", "status": "submitted"}))
    assert _ids(rows) == sorted(other.application_ids, reverse=True)
    assert about["导出行数"] == 2 and about["符合筛选的行数"] == 2
    district, status = column_label("application", "scope_district"), column_label("application", "status")
    assert about["筛选条件"] == f"{district}=浦东新区；{status}=已提交"
    assert about["排序"] == f"{column_label('application', 'id')} 降序"


def test_the_about_sheet_reads_the_filters_as_an_officer_would() -> None:
    listed = list_export.ListedTable(Application, ())
    params = [
        ("title__match", "contains"),
        ("title", "助餐"),
        ("track__operator", "is_null"),
        ("eligibility_outcome", "ineligible"),
        ("submitted_at__operator", "gte"),
        ("submitted_at", "2026-01-01T00:00"),
        ("__order", "-submitted_at,id"),
    ]
    filters, order = list_export._filters_zh(listed, params)

    def label(name: str) -> str:
        return column_label("application", name)

    assert filters == (
        f"{label('title')}包含助餐；{label('track')}为空；{label('eligibility_outcome')}=未通过；"
        f"{label('submitted_at')}≥2026-01-01T00:00"
    )
    assert order == f"{label('submitted_at')} 降序，{label('id')} 升序"


async def test_names_beijing_time_and_labels_from_the_labels_module(
    admin_client: AdminFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(COMMON_COLUMN_LABELS, "title", "项目名称")
    monkeypatch.setitem(COMMON_COLUMN_LABELS, "submitted_at", "提交时间")
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=1)
    rows, _ = _sheets(await _export(officer, "application", {"round": made.round_id}))
    header, row = rows
    visible = ["id", "round", "track", "organisation", "title", "status", "eligibility_outcome", "submitted_at"]
    assert header[4] == "项目名称" and header[7] == "提交时间（北京时间）"
    assert list(header[:4]) == [column_label("application", c) for c in visible[:4]]
    named = dict(zip(visible, row, strict=True))
    # References as the list shows them: the referenced row's readable (its name, once get_readable gives one).
    listed = (await officer.get("tables/application/", params={"round": made.round_id, "__readable": "true"})).json()
    shown_row = listed["rows"][0]
    for name in ("round", "track", "organisation"):
        assert named[name] == (shown_row[f"{name}_readable"] or shown_row[name]), name
    assert (named["status"], named["eligibility_outcome"]) == ("已提交", "未通过")
    submitted = await Application.select(Application.submitted_at).where(Application.id == row[0]).first()
    assert submitted is not None
    beijing = shown(submitted["submitted_at"]).replace(tzinfo=None, microsecond=0)
    assert isinstance(named["submitted_at"], datetime)
    assert abs((named["submitted_at"] - beijing).total_seconds()) < 1  # Beijing wall clock, no zone


async def test_money_in_yuan_and_account_numbers_masked(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    await draft_batch(user_of(officer), None)
    rows, _ = _sheets(await _export(officer, "award", {"__order": "id"}))
    header = rows[0]
    assert header[3] == f"{column_label('award', 'amount_fen')}（元）"
    amounts = sorted(r[3] for r in rows[1:])
    expected = sorted(a["amount_fen"] / 100 for a in await Award.select(Award.amount_fen))
    assert amounts == expected and 30_000 in amounts
    rows, _ = _sheets(await _export(officer, "bank_account"))
    at = rows[0].index(column_label("bank_account", "account_number"))
    numbers = [r[at] for r in rows[1:]]
    assert numbers and all(str(n).startswith("****") and len(str(n)) == 8 for n in numbers)
    refused = await _export(officer, "bank_account", {"account_number__match": "starts", "account_number": "6"})
    assert refused.status_code == 400 and "已脱敏" in refused.text


async def test_a_district_officer_exports_only_their_district(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    mine = await screening_round(user_of(city), District.changning, count=2)
    theirs = await screening_round(user_of(city), District.pudong, count=2)
    officer = await admin_client(Role.officer, District.changning)

    rows, about = _sheets(await _export(officer, "application", {"__order": "id"}))
    assert _ids(rows) == mine.application_ids
    # Naming another district (value, operator or list form) changes nothing: the list's own scope rule wins.
    for forged in ({"scope_district": "pudong"}, {"scope_district__operator": "is_null"}, {"round": theirs.round_id}):
        rows, _ = _sheets(await _export(officer, "application", {**forged, "__order": "id"}))
        assert set(_ids(rows)) <= set(mine.application_ids), forged
    rows, _ = _sheets(await _export(officer, "round"))
    assert _ids(rows) == [mine.round_id]

    for city_only in ("audit_entry", "criterion", "account"):
        refused = await _export(officer, city_only)
        assert refused.status_code == 404 and NOT_FOUND in refused.text, city_only
    unknown = await _export(officer, "no_such_table")
    assert unknown.status_code == 404 and NOT_FOUND in unknown.text


async def test_every_page_is_read_and_the_cap_is_stated(
    admin_client: AdminFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=5)
    monkeypatch.setattr(list_export, "PAGE_SIZE", 2)
    rows, about = _sheets(await _export(officer, "application", {"round": made.round_id, "__order": "id"}))
    assert _ids(rows) == made.application_ids  # three pages of two
    monkeypatch.setattr(list_export, "EXPORT_ROWS_MAX", 3)
    rows, about = _sheets(await _export(officer, "application", {"round": made.round_id, "__order": "id"}))
    assert [int(r[0]) for r in rows[1:4]] == made.application_ids[:3]
    assert "已达导出上限" in str(rows[4][0]) and len(rows) == 5
    assert about["导出行数"] == 3 and about["符合筛选的行数"] == 5 and "上限" in about["说明"]


async def test_no_session_no_export_and_the_button_is_on_the_index(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    response = await _export(anonymous, "application")
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    index = await anonymous.http.get("/admin/")
    assert index.status_code == 200
    assert index.text.count('<script src="./list-export.js"></script>') == 1
    assert int(index.headers["content-length"]) == len(index.content)
    script = await anonymous.http.get("/admin/list-export.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "导出 xlsx（当前筛选）" in script.text and "export.xlsx" in script.text
