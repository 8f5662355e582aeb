"""链接资源对接渠道: officers record partners and their offers, introduce a winner to an offer once, and record the
follow-up through its workflow; lists are paged and scoped; bad input names the field and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from app.auth.tables import Role
from app.notifications import Notification
from app.reference import District
from app.timezone import today_shanghai
from programmes.resources.tables import ResourceIntroduction
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.prizes import offer_body, winners
from tests.factories.world import row_counts


async def _partner(client: httpx.AsyncClient, officer: factories.User, **body: object) -> dict[str, object]:
    payload = {"name": "上海某公益基金会", "kind": "foundation", "description": "关注为老服务", **body}
    return ok(await client.post("/resource-partners", json=payload, headers=officer.headers), 201)  # type: ignore[no-any-return]


async def test_a_winner_is_introduced_once_and_the_follow_up_is_recorded(client: httpx.AsyncClient) -> None:
    final, prizes = await winners(client)
    officer = final.officer
    partner = await _partner(client, officer)
    offer = ok(
        await client.post(f"/resource-partners/{partner['id']}/offers", json=offer_body(), headers=officer.headers), 201
    )
    assert offer["current"] and offer["partner_name"] == "上海某公益基金会"
    url = f"/resource-offers/{offer['id']}/introductions"
    prize = prizes[0]
    made = ok(
        await client.post(url, json={"prize_id": prize["id"], "note": "已电话介绍"}, headers=officer.headers), 201
    )
    assert made["status"] == "introduced" and made["project_title"] == prize["title"]
    assert [n["action"] for n in made["notes"]] == ["introduce"]
    member = final.members[prize["application_id"]]
    assert (
        await Notification.count().where(
            (Notification.user == member.id) & (Notification.kind == "resource_introduction")
        )
        == 1
    )
    # One introduction per winner and offer, even when asked 50 times at once.
    again = await asyncio.gather(
        *[client.post(url, json={"prize_id": prize["id"]}, headers=officer.headers) for _ in range(50)]
    )
    assert {a.status_code for a in again} == {409}
    assert {a.json()["code"] for a in again} == {"already_introduced"}
    assert await ResourceIntroduction.count() == 1

    steps = f"/resource-introductions/{made['id']}"
    problem(await client.post(f"{steps}/complete", json={}, headers=officer.headers), 409, "transition_invalid_state")
    ok(await client.post(f"{steps}/contact", json={"note": "双方已通话"}, headers=officer.headers))
    ok(await client.post(f"{steps}/agree", json={"note": "每月两次使用场地"}, headers=officer.headers))
    done = ok(await client.post(f"{steps}/complete", json={"note": "已开展三次活动"}, headers=officer.headers))
    assert done["status"] == "done" and done["status_zh"] == "对接完成"
    assert [(n["action"], n["note"]) for n in done["notes"]] == [
        ("introduce", "已电话介绍"),
        ("contact", "双方已通话"),
        ("agree", "每月两次使用场地"),
        ("complete", "已开展三次活动"),
    ]
    problem(
        await client.post(f"{steps}/decline", json={"note": "晚了"}, headers=officer.headers),
        409,
        "transition_invalid_state",
    )

    other = ok(await client.post(url, json={"prize_id": prizes[1]["id"]}, headers=officer.headers), 201)
    other_steps = f"/resource-introductions/{other['id']}"
    refused(await client.post(f"{other_steps}/decline", json={}, headers=officer.headers), 422, "reason_required")
    declined = ok(await client.post(f"{other_steps}/decline", json={"note": "需求不匹配"}, headers=officer.headers))
    assert declined["status"] == "declined"

    page = await client.get("/resource-introductions?limit=1", headers=officer.headers)
    assert [i["id"] for i in ok(page)] == [made["id"]] and page.headers["X-Total-Count"] == "2"
    assert [
        i["id"] for i in ok(await client.get("/resource-introductions?status=declined", headers=officer.headers))
    ] == [other["id"]]
    found = ok(await client.get(f"/resource-introductions?prize_id={prize['id']}", headers=officer.headers))
    assert [i["id"] for i in found] == [made["id"]]


async def test_offers_are_validated_listed_and_must_be_current(client: httpx.AsyncClient) -> None:
    final, prizes = await winners(client, count=1)
    officer = final.officer
    partner = await _partner(client, officer, kind="street", name="某街道办事处")
    offers_url = f"/resource-partners/{partner['id']}/offers"
    before = await row_counts()
    today = today_shanghai()
    backwards = offer_body(valid_from=today.isoformat(), valid_until=(today - timedelta(days=1)).isoformat())
    assert (await client.post(offers_url, json=backwards, headers=officer.headers)).status_code == 422
    refused(await client.post(offers_url, json=offer_body(kind="party"), headers=officer.headers), 422, "enum", "kind")
    refused(
        await client.post(offers_url, json=offer_body(title="x"), headers=officer.headers),
        422,
        "string_too_short",
        "title",
    )
    refused(
        await client.post("/resource-partners", json={"name": "某企业", "kind": "club"}, headers=officer.headers),
        422,
        "enum",
        "kind",
    )
    problem(
        await client.post("/resource-partners/999999/offers", json=offer_body(), headers=officer.headers),
        404,
        "not_found",
    )
    assert await row_counts() == before

    expired = ok(
        await client.post(
            offers_url,
            json=offer_body(kind="funding", valid_from="2025-01-01", valid_until="2025-12-31"),
            headers=officer.headers,
        ),
        201,
    )
    current = ok(await client.post(offers_url, json=offer_body(kind="mentoring"), headers=officer.headers), 201)
    assert not expired["current"] and current["current"]
    problem(
        await client.post(
            f"/resource-offers/{expired['id']}/introductions",
            json={"prize_id": prizes[0]["id"]},
            headers=officer.headers,
        ),
        409,
        "offer_not_current",
    )
    problem(
        await client.post(
            f"/resource-offers/{current['id']}/introductions", json={"prize_id": 999999}, headers=officer.headers
        ),
        404,
        "not_found",
    )
    listed = ok(await client.get("/resource-offers?current=true", headers=officer.headers))
    assert [o["id"] for o in listed] == [current["id"]]
    assert [o["id"] for o in ok(await client.get("/resource-offers?current=false", headers=officer.headers))] == [
        expired["id"]
    ]
    assert [o["id"] for o in ok(await client.get("/resource-offers?kind=funding", headers=officer.headers))] == [
        expired["id"]
    ]
    page = await client.get(f"/resource-offers?partner_id={partner['id']}&limit=1", headers=officer.headers)
    assert len(ok(page)) == 1 and page.headers["X-Has-More"] == "true"
    partners = ok(await client.get("/resource-partners?kind=street", headers=officer.headers))
    assert [(p["id"], p["offers"]) for p in partners] == [(partner["id"], 2)]


async def test_district_officers_see_only_their_district(client: httpx.AsyncClient) -> None:
    final, prizes = await winners(client, count=1)  # a city-level contest
    city = final.officer
    pudong = await factories.user(Role.officer, District.pudong)
    applicant = final.members[prizes[0]["application_id"]]
    city_partner = await _partner(client, city)
    city_offer = ok(
        await client.post(f"/resource-partners/{city_partner['id']}/offers", json=offer_body(), headers=city.headers),
        201,
    )
    pudong_partner = await _partner(client, pudong, name="浦东某企业", kind="enterprise")
    assert pudong_partner["scope_district"] == "pudong"
    assert [p["id"] for p in ok(await client.get("/resource-partners", headers=pudong.headers))] == [
        pudong_partner["id"]
    ]
    assert len(ok(await client.get("/resource-partners", headers=city.headers))) == 2
    problem(await client.get(f"/resource-offers/{city_offer['id']}", headers=pudong.headers), 404, "not_found")
    problem(
        await client.post(f"/resource-partners/{city_partner['id']}/offers", json=offer_body(), headers=pudong.headers),
        404,
        "not_found",
    )
    pudong_offer = ok(
        await client.post(
            f"/resource-partners/{pudong_partner['id']}/offers", json=offer_body(), headers=pudong.headers
        ),
        201,
    )
    # A city prize is out of the district officer's reach: the same 404 as a missing one.
    problem(
        await client.post(
            f"/resource-offers/{pudong_offer['id']}/introductions",
            json={"prize_id": prizes[0]["id"]},
            headers=pudong.headers,
        ),
        404,
        "not_found",
    )
    made = ok(
        await client.post(
            f"/resource-offers/{city_offer['id']}/introductions",
            json={"prize_id": prizes[0]["id"]},
            headers=city.headers,
        ),
        201,
    )
    assert ok(await client.get("/resource-introductions", headers=pudong.headers)) == []
    problem(
        await client.post(f"/resource-introductions/{made['id']}/contact", json={}, headers=pudong.headers),
        404,
        "not_found",
    )
    for path in ("/resource-partners", "/resource-offers", "/resource-introductions"):
        assert (await client.get(path, headers=applicant.headers)).status_code == 403
        assert (await client.get(path)).status_code == 401
