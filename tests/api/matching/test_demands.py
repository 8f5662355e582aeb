"""聚力计划 demands: a community writes, edits and submits; officers in scope publish or reject with a reason;
either closes; a daily job expires what is past its period; anyone lists and searches the published ones, and
only signed-in organisations, staff and the community itself see the contact."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from app.audit import AuditEntry
from app.timezone import now_utc, today_shanghai
from programmes.matching.demands import expire_due
from programmes.matching.tables import Demand, DemandField
from tests.factories.http import assert_problem, ok, problem, refused
from tests.factories.matching import demand
from tests.factories.matching_demand import DemandWorld, demand_body

BASE = "/matching/demands"


async def test_a_demand_from_draft_to_published_and_closed(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    created = ok(await client.post(BASE, json=demand_body(), headers=w.community.headers), 201)
    url = f"{BASE}/{created['id']}"
    assert created["status"] == "draft" and created["district"] == "changning" and created["street"] == "江苏路街道"
    edited = ok(await client.put(url, json=demand_body(title="智能手机培训（第二期）"), headers=w.community.headers))
    assert edited["title"] == "智能手机培训（第二期）"
    ok(await client.post(f"{url}/submit", headers=w.community.headers))
    problem(await client.put(url, json=demand_body(), headers=w.community.headers), 409, "demand_not_editable")
    queue = ok(await client.get("/matching/moderation/demands", headers=w.changning_officer.headers))
    assert [d["id"] for d in queue] == [created["id"]]
    assert ok(await client.get("/matching/moderation/demands", headers=w.pudong_officer.headers)) == []
    problem(await client.post(f"{url}/publish", headers=w.pudong_officer.headers), 404, "not_found")
    bad = assert_problem(await client.post(f"{url}/reject", json={"reason": ""}, headers=w.changning_officer.headers))
    assert bad["errors"][0]["field"] == "reason"
    rejected = ok(
        await client.post(f"{url}/reject", json={"reason": "请补充服务频次"}, headers=w.changning_officer.headers)
    )
    assert rejected["status"] == "rejected" and rejected["rejected_reason"] == "请补充服务频次"
    notices = ok(await client.get("/notifications/mine", headers=w.community.headers))
    assert any("请补充服务频次" in n["body"] for n in notices), notices
    ok(await client.put(url, json=demand_body(description="每周二下午一次"), headers=w.community.headers))
    ok(await client.post(f"{url}/revise", headers=w.community.headers))
    ok(await client.post(f"{url}/submit", headers=w.community.headers))
    published = ok(await client.post(f"{url}/publish", headers=w.city_officer.headers))
    assert published["status"] == "published" and published["published_at"] is not None
    problem(await client.post(f"{url}/publish", headers=w.city_officer.headers), 409, "transition_invalid_state")
    assert [d["id"] for d in ok(await client.get(BASE))] == [created["id"]]
    closed = ok(await client.post(f"{url}/close", json={"reason": "已自行解决"}, headers=w.community.headers))
    assert closed["status"] == "closed"
    assert ok(await client.get(BASE)) == []
    problem(await client.get(url), 404, "not_found")
    steps = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == created["id"])
    assert {"demand.create", "demand.submit", "demand.reject", "demand.publish", "demand.close"} <= {
        s["action"] for s in steps
    }


async def test_roles_and_scope(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    for who in (w.applicant, w.city_officer):
        assert (await client.post(BASE, json=demand_body(), headers=who.headers)).status_code == 403
    assert (await client.post(BASE, json=demand_body())).status_code == 401
    draft = await demand(w.community_id, status="draft")
    submitted = await demand(w.community_id, status="submitted")
    url = f"{BASE}/{draft}"
    problem(await client.post(f"{url}/submit", headers=w.other_community.headers), 404, "not_found")
    problem(await client.put(url, json=demand_body(), headers=w.other_community.headers), 404, "not_found")
    problem(await client.post(f"{url}/close", json={}, headers=w.other_community.headers), 404, "not_found")
    problem(await client.post(f"{url}/close", json={}, headers=w.pudong_officer.headers), 404, "not_found")
    assert (await client.post(f"{BASE}/{submitted}/publish", headers=w.community.headers)).status_code == 403
    assert (await client.post(f"{BASE}/{submitted}/publish", headers=w.applicant.headers)).status_code == 403
    assert (await client.get("/matching/moderation/demands", headers=w.community.headers)).status_code == 403
    mine = ok(await client.get("/matching/my/demands", headers=w.community.headers))
    assert {d["id"] for d in mine} == {draft, submitted}
    assert ok(await client.get("/matching/my/demands", headers=w.other_community.headers)) == []
    # The community sees its own draft with the contact; another community and anonymous callers do not see it.
    assert ok(await client.get(url, headers=w.community.headers))["contact_name"] == ""
    problem(await client.get(url, headers=w.other_community.headers), 404, "not_found")
    problem(await client.get(url), 404, "not_found")
    ok(await client.get(url, headers=w.changning_officer.headers))
    problem(await client.get(url, headers=w.pudong_officer.headers), 404, "not_found")
    # Staff in scope close; the workflow refuses closing twice.
    ok(await client.post(f"{url}/close", json={}, headers=w.changning_officer.headers))
    problem(
        await client.post(f"{url}/close", json={}, headers=w.changning_officer.headers), 409, "transition_invalid_state"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"tags": ["no_such_tag"]}, "tags", "tag_unknown"),
        ({"tags": ["retired"]}, "tags", "tag_inactive"),
        ({"tags": ["elderly", "elderly"]}, "tags", "tag_duplicate"),
        ({"period_start": "2027-05-01", "period_end": "2027-04-01"}, "period_end", "period_reversed"),
        ({"budget_min_fen": 100, "budget_max_fen": None}, "budget_max_fen", "budget_incomplete"),
        ({"budget_min_fen": 500, "budget_max_fen": 100}, "budget_max_fen", "budget_reversed"),
        ({"field": "rural_urban", "paired_area": ""}, "paired_area", "paired_area_required"),
    ],
)
async def test_rules_across_fields_name_the_field(
    client: httpx.AsyncClient, demand_world: DemandWorld, overrides: dict[str, object], field: str, code: str
) -> None:
    answer = await client.post(BASE, json=demand_body(**overrides), headers=demand_world.community.headers)
    refused(answer, 422, code, field)
    assert_problem(answer, 422)
    assert await Demand.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"providers_wanted": 0}, "providers_wanted"),
        ({"providers_wanted": 51}, "providers_wanted"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"budget_min_fen": "100"}, "budget_min_fen"),
        ({"field": "sports"}, "field"),
        ({"title": ""}, "title"),
        ({"period_start": "not-a-date"}, "period_start"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_bad_values_are_refused_with_the_field(
    client: httpx.AsyncClient, demand_world: DemandWorld, overrides: dict[str, object], field: str
) -> None:
    body = assert_problem(
        await client.post(BASE, json=demand_body(**overrides), headers=demand_world.community.headers), 422
    )
    assert field in {e["field"].split(".")[0] for e in body["errors"]}, body


async def test_in_kind_rural_demand_with_paired_area(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    body = demand_body(
        field="rural_urban",
        paired_area="云南省文山州",
        budget_min_fen=None,
        budget_max_fen=None,
        cross_district=True,
        contact_phone="13800138000",
        providers_wanted=50,
    )
    created = ok(await client.post(BASE, json=body, headers=demand_world.community.headers), 201)
    assert created["in_kind"] is True and created["paired_area"] == "云南省文山州" and created["cross_district"]


async def test_public_search_hides_contact_from_the_public(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    today = now_utc().date()
    elderly = await demand(w.community_id, title="助老食堂志愿者", contact_name="王老师", contact_phone="13800138000")
    kids = await demand(
        w.other_community_id,
        field=DemandField.culture_sports,
        tags=["children", "community_org"],
        title="暑期儿童托管",
        description="陆家嘴社区暑托班",
        period_start=today + timedelta(days=200),
        period_end=today + timedelta(days=230),
        contact_name="李老师",
    )
    await demand(w.community_id, status="draft", title="未发布的需求")
    anonymous = ok(await client.get(BASE))
    assert {d["id"] for d in anonymous} == {elderly, kids}
    assert all("contact_name" not in d and "contact_phone" not in d for d in anonymous)
    assert "contact_name" not in ok(await client.get(f"{BASE}/{elderly}"))
    assert ok(await client.get(f"{BASE}/{elderly}", headers=w.applicant.headers))["contact_phone"] == "13800138000"
    assert ok(await client.get(f"{BASE}/{elderly}", headers=w.pudong_officer.headers))["contact_name"] == "王老师"
    assert "contact_name" not in ok(await client.get(f"{BASE}/{elderly}", headers=w.other_community.headers))
    assert ok(await client.get(f"{BASE}/{elderly}", headers=w.community.headers))["contact_name"] == "王老师"
    as_org = ok(await client.get(BASE, headers=w.applicant.headers))
    assert all("contact_name" in d for d in as_org)
    as_other = {d["id"]: d for d in ok(await client.get(BASE, headers=w.other_community.headers))}
    assert "contact_name" in as_other[kids] and "contact_name" not in as_other[elderly]

    async def ids(**params: object) -> set[int]:
        return {d["id"] for d in ok(await client.get(BASE, params=params))}

    assert await ids(field="culture_sports") == {kids}
    assert await ids(tag=["community_org"]) == {kids}
    assert await ids(tag=["elderly", "children"]) == {elderly, kids}
    assert await ids(district="pudong") == {kids}
    assert await ids(street="江苏路街道") == {elderly}
    assert await ids(q="暑托") == {kids}
    assert await ids(q="食堂") == {elderly}
    assert await ids(q="100%") == set()
    window = (today + timedelta(days=195)).isoformat(), (today + timedelta(days=205)).isoformat()
    assert await ids(period_from=window[0], period_to=window[1]) == {kids}
    assert await ids(period_to=(today + timedelta(days=5)).isoformat()) == {elderly}
    first = await client.get(BASE, params={"limit": 1})
    assert first.headers["X-Total-Count"] == "2" and first.headers["X-Has-More"] == "true"
    second = ok(await client.get(BASE, params={"limit": 1, "offset": 1}))
    assert {first.json()[0]["id"], second[0]["id"]} == {elderly, kids}
    assert_problem(await client.get(BASE, params={"field": "sports"}), 422)


async def test_expiry_is_daily_and_idempotent(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    today = today_shanghai()
    past = {"period_start": today - timedelta(days=30), "period_end": today - timedelta(days=1)}
    due = await demand(w.community_id, **past)
    partly = await demand(w.community_id, status="partly_matched", **past)
    draft = await demand(w.community_id, status="draft", **past)
    current = await demand(w.community_id)
    assert await expire_due(today) == 2
    assert await expire_due(today) == 0
    states = {r["id"]: r["status"] for r in await Demand.select(Demand.id, Demand.status)}
    assert states == {due: "expired", partly: "expired", draft: "draft", current: "published"}


async def test_concurrent_publishing_publishes_once(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    submitted = await demand(w.community_id, status="submitted")
    answers = await asyncio.gather(
        *(client.post(f"{BASE}/{submitted}/publish", headers=w.changning_officer.headers) for _ in range(50))
    )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 49
    publishes = await AuditEntry.count().where(
        (AuditEntry.object_id == submitted) & (AuditEntry.action == "demand.publish")
    )
    assert publishes == 1


async def test_concurrent_creates_write_every_row(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    answers = await asyncio.gather(
        *(client.post(BASE, json=demand_body(title=f"需求{n}"), headers=w.community.headers) for n in range(50))
    )
    assert {a.status_code for a in answers} == {201}
    assert await Demand.count().where(Demand.community == w.community_id) == 50


async def test_the_worker_expires_daily(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    from app.site.worker import WorkerSettings, expire_matching_demands

    assert any(job.coroutine is expire_matching_demands for job in WorkerSettings.cron_jobs)
    yesterday = today_shanghai() - timedelta(days=1)
    due = await demand(demand_world.community_id, period_start=yesterday, period_end=yesterday)
    assert await expire_matching_demands({}) == 1
    assert await expire_matching_demands({}) == 0
    assert (await Demand.select(Demand.status).where(Demand.id == due).first()) == {"status": "expired"}
