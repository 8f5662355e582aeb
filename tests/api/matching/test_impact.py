"""聚力计划 impact statistics: the figures per field, district, street, session and organisation, district scope,
bad input, and the xlsx export."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import MatchingSession
from tests import factories
from tests.factories import matching_cases as cases
from tests.factories.http import assert_problem, ok
from tests.factories.matching import community, demand, offer

pytestmark = pytest.mark.usefixtures("db")


async def a_small_world() -> dict[str, int]:
    """Changning: three published demands (one evaluated at 48 h, one accepted at 24 h, one untaken) and a draft;
    Xuhui: one published demand delivered at 10 h. A declined order counts for nothing."""
    await cases.tags("elderly")
    published = now_utc() - timedelta(days=30)
    changning, _ = await community(District.changning, street="新华路街道")
    xuhui, _ = await community(District.xuhui, street="天平路街道")
    org, _ = await factories.organisation(District.changning, name="长宁银龄服务社")
    offer_id = await offer(org, capacity=5)
    session = await MatchingSession.insert(
        MatchingSession(title="长宁区交流对接会", status="published", scope_district="changning", created_at=now_utc())
    ).returning(MatchingSession.id)
    session_id = int(session[0]["id"])
    d1 = await demand(changning, status="matched", published_at=published)
    d2 = await demand(changning, status="matched", published_at=published, field="culture_sports")
    d3 = await demand(changning, published_at=published)
    await demand(changning, status="draft")
    d4 = await demand(xuhui, status="matched", published_at=published)
    await cases.order(d1, offer_id, org, status="evaluated", served=(30, 12), overall=5, hours_to_accept=48)
    await cases.order(d2, offer_id, org, status="accepted", hours_to_accept=24, session_id=session_id)
    await cases.order(d3, offer_id, org, status="declined", session_id=session_id)
    await cases.order(d4, offer_id, org, status="evaluated", served=(8,), overall=3, hours_to_accept=10)
    return {"session": session_id, "organisation": org}


async def test_by_district_and_field(client: httpx.AsyncClient) -> None:
    await a_small_world()
    city = await cases.officer()
    rows = {r["key"]: r for r in ok(await client.get("/matching/impact?view=district", headers=city.headers))}
    cn = rows["changning"]
    assert (cn["demands_published"], cn["demands_matched"], cn["demands_delivered"]) == (3, 2, 1)
    assert cn["match_rate"] == pytest.approx(2 / 3, abs=1e-4) and cn["median_hours_to_match"] == 36.0
    assert cn["beneficiaries_served"] == 42 and cn["average_rating"] == 5.0 and cn["evaluations"] == 1
    assert cn["ratings_by_aspect"]["timeliness"] == 4.0 and cn["label"] == "长宁区"
    xh = rows["xuhui"]
    assert (xh["demands_published"], xh["demands_matched"], xh["beneficiaries_served"]) == (1, 1, 8)
    first = await client.get("/matching/impact?view=district&limit=1", headers=city.headers)
    assert [r["key"] for r in ok(first)] == ["changning"] and first.headers["X-Total-Count"] == "2"
    fields = {r["key"]: r for r in ok(await client.get("/matching/impact?view=field", headers=city.headers))}
    assert fields["governance"]["demands_published"] == 3 and fields["culture_sports"]["label"] == "文体活动"
    assert fields["governance"]["average_rating"] == 4.0  # (5 + 3) / 2
    streets = {r["label"]: r for r in ok(await client.get("/matching/impact?view=street", headers=city.headers))}
    assert streets["长宁区新华路街道"]["demands_published"] == 3
    only_culture = ok(await client.get("/matching/impact?view=district&field=culture_sports", headers=city.headers))
    assert [(r["key"], r["demands_published"]) for r in only_culture] == [("changning", 1)]


async def test_by_session_and_organisation(client: httpx.AsyncClient) -> None:
    world = await a_small_world()
    city = await cases.officer()
    [session] = ok(await client.get("/matching/impact?view=session", headers=city.headers))
    assert session["label"] == "长宁区交流对接会" and session["key"] == str(world["session"])
    assert (session["demands_published"], session["demands_matched"], session["demands_delivered"]) == (2, 1, 0)
    [org] = ok(await client.get("/matching/impact?view=organisation", headers=city.headers))
    assert org["label"] == "长宁银龄服务社" and (org["demands_published"], org["demands_matched"]) == (4, 3)
    assert org["beneficiaries_served"] == 50


async def test_district_officer_sees_own_district_only(client: httpx.AsyncClient) -> None:
    await a_small_world()
    xuhui = await cases.officer(District.xuhui)
    rows = ok(await client.get("/matching/impact?view=district", headers=xuhui.headers))
    assert [r["key"] for r in rows] == ["xuhui"]
    [org] = ok(await client.get("/matching/impact?view=organisation", headers=xuhui.headers))
    assert org["demands_published"] == 1  # the Changning demands are out of scope
    body = assert_problem(
        await client.get("/matching/impact?view=district&district=changning", headers=xuhui.headers), 403
    )
    assert body["code"] == "district_out_of_scope" and body["errors"][0]["field"] == "district"


async def test_roles_and_bad_input(client: httpx.AsyncClient) -> None:
    city = await cases.officer()
    _, account = await community()
    member = await factories.user(Role.applicant)
    for user in (account, member):
        assert (await client.get("/matching/impact?view=district", headers=user.headers)).status_code == 403
    assert (await client.get("/matching/impact?view=district")).status_code == 401
    assert (await client.get("/matching/impact?view=planet", headers=city.headers)).status_code in (400, 404, 422)
    body = assert_problem(await client.get("/matching/impact?view=field&date_from=tomorrow", headers=city.headers), 422)
    assert body["code"] == "date_invalid" and body["errors"][0]["field"] == "date_from"
    body = assert_problem(
        await client.get("/matching/impact?view=field&date_from=2026-05-02&date_to=2026-05-01", headers=city.headers),
        422,
    )
    assert body["code"] == "date_range_invalid"
    assert ok(await client.get("/matching/impact?view=field", headers=city.headers)) == []


async def test_date_window_is_beijing_days(client: httpx.AsyncClient) -> None:
    await a_small_world()
    city = await cases.officer()
    today = now_utc().date()
    assert ok(await client.get(f"/matching/impact?view=district&date_from={today}", headers=city.headers)) == []
    month_ago = (now_utc() - timedelta(days=31)).date()
    rows = ok(
        await client.get(f"/matching/impact?view=district&date_from={month_ago}&date_to={today}", headers=city.headers)
    )
    assert sum(r["demands_published"] for r in rows) == 4


async def test_xlsx_export(client: httpx.AsyncClient) -> None:
    await a_small_world()
    city = await cases.officer()
    answer = await client.get("/matching/impact.xlsx", headers=city.headers)
    assert answer.status_code == 200 and "spreadsheetml" in answer.headers["content-type"]
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames == ["按领域", "按区", "按街镇", "按对接活动", "按社会组织"]
    rows = list(book["按区"].iter_rows(values_only=True))
    assert rows[0][0] == "分组" and {r[0] for r in rows[1:]} == {"长宁区", "徐汇区"}
    xuhui = await cases.officer(District.xuhui)
    book = load_workbook(io.BytesIO((await client.get("/matching/impact.xlsx", headers=xuhui.headers)).content))
    assert [r[0] for r in list(book["按区"].iter_rows(values_only=True))[1:]] == ["徐汇区"]
