"""The round's screening list /admin/rounds/{id}/screening: filters, paging, bulk return/reject by ticked rows, xlsx."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import httpx
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.reader import screening_round, user_of


async def _bulk(session: AdminSession, round_id: int, ids: list[int], action: str, reason: str) -> httpx.Response:
    body = [("csrftoken", session.http.cookies.get("csrftoken") or ""), ("action", action), ("reason", reason)]
    body += [("ids", str(i)) for i in ids]
    return await session.http.post(
        f"/admin/rounds/{round_id}/screening",
        content=urlencode(body),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def _statuses(ids: list[int]) -> list[str]:
    rows = await Application.select(Application.status).where(Application.id.is_in(ids)).order_by(Application.id)
    return [r["status"] for r in rows]


async def test_filters_and_pages_the_rounds_applications(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=3)
    url = f"/admin/rounds/{made.round_id}/screening"
    listing = await officer.http.get(url)
    assert listing.status_code == 200
    for application_id in made.application_ids:
        assert f'href="/admin/applications/{application_id}"' in listing.text
    assert "共 3 件" in listing.text and "长宁区" in listing.text and "未通过" in listing.text
    paged = await officer.http.get(url, params={"limit": "2"})
    assert paged.text.count('name="ids"') == 2 and "下一页" in paged.text
    second = await officer.http.get(url, params={"limit": "2", "offset": "2"})
    assert second.text.count('name="ids"') == 1 and "上一页" in second.text
    # Out-of-range or malformed paging and filters fall back to the defaults instead of failing.
    clamped = await officer.http.get(
        url, params={"limit": "100000", "offset": "x", "status": "'; drop", "track": "9" * 20}
    )
    assert clamped.status_code == 200 and clamped.text.count('name="ids"') == 3
    eligible = await officer.http.get(url, params={"outcome": "eligible"})
    assert "共 0 件" in eligible.text
    ineligible = await officer.http.get(url, params={"outcome": "ineligible", "district": "changning"})
    assert "共 3 件" in ineligible.text
    pudong = await officer.http.get(url, params={"district": "pudong"})
    assert "共 0 件" in pudong.text


async def test_bulk_returns_the_ticked_rows_with_one_reason(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    made = await screening_round(user_of(officer), District.changning, count=3)
    first, second, third = made.application_ids
    before = await AuditEntry.count()
    for ids, action, reason, message in (
        ([first], "return_for_revision", " ", "须填写原因"),
        ([], "reject", "不符合要求", "请至少勾选一件申报"),
        ([first], "advance", "晋级", "请选择批量操作"),
        ([first], "reject", "长" * 1001, "原因最多 1000 个字"),
    ):
        refused = await _bulk(officer, made.round_id, ids, action, reason)
        assert refused.status_code == 422 and message in refused.text, message
    assert await AuditEntry.count() == before and await _statuses(made.application_ids) == ["submitted"] * 3
    done = await _bulk(officer, made.round_id, [first, second], "return_for_revision", "预算明细不完整")
    assert done.status_code == 200 and "退回修改成功 2 件" in done.text
    assert await _statuses(made.application_ids) == ["returned", "returned", "submitted"]
    # A row already returned is refused by the workflow and reported; the others go through.
    mixed = await _bulk(officer, made.round_id, [first, third], "reject", "不属于本项目资助范围")
    assert "驳回成功 1 件" in mixed.text and "未处理 1 件" in mixed.text
    assert await _statuses(made.application_ids) == ["returned", "returned", "rejected"]


async def test_bulk_never_touches_rows_outside_the_round_or_scope(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await screening_round(user_of(city), District.pudong, count=1)
    officer = await admin_client(Role.officer, District.changning)
    mine = await screening_round(user_of(officer), District.changning, count=1)
    other = await screening_round(user_of(officer), District.changning, count=1)
    forged = [pudong.application_ids[0], other.application_ids[0], mine.application_ids[0]]
    answer = await _bulk(officer, mine.round_id, forged, "reject", "不符合要求")
    assert "驳回成功 1 件" in answer.text and answer.text.count("不属于本轮或不在您的管辖范围内") == 2
    assert await _statuses(pudong.application_ids + other.application_ids) == ["submitted", "submitted"]
    assert await _statuses(mine.application_ids) == ["rejected"]
    assert (await _bulk(officer, pudong.round_id, pudong.application_ids, "reject", "不符合要求")).status_code == 404
    assert await _statuses(pudong.application_ids) == ["submitted"]


async def test_the_xlsx_holds_the_current_filter(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=3)
    await _bulk(officer, made.round_id, made.application_ids[:1], "reject", "不符合要求")
    response = await officer.http.get(f"/admin/rounds/{made.round_id}/screening.xlsx", params={"status": "submitted"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("申报编号", "申报项目", "申报单位")
    assert [r[0] for r in rows[1:]] == made.application_ids[1:]
    assert {r[5] for r in rows[1:]} == {"已提交"} and {r[6] for r in rows[1:]} == {"未通过"}
