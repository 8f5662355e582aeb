"""Matching sessions through the API: create (general, 专场) in scope, open, preview (the optimal matching with every
unmatched demand explained), adjust by hand under the same rules, publish (matched orders, notified), re-match the
remainder after a decline without touching existing orders, close; scope, roles and bad input."""

from __future__ import annotations

import asyncio

import httpx

from app.notifications.tables import Notification
from app.organisations.tables import OrganisationType
from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import MatchingTag, MatchOrder, ServiceOffer, SessionPair
from tests import factories
from tests.factories import User
from tests.factories import matching as builders
from tests.factories.http import ok, problem, refused
from tests.factories.world import World


async def session(client: httpx.AsyncClient, officer: User, **body: object) -> int:
    created = ok(
        await client.post("/matching/sessions", json={"title": "长宁区交流对接活动", **body}, headers=officer.headers),
        201,
    )
    ok(await client.post(f"/matching/sessions/{created['id']}/open", headers=officer.headers))
    return int(created["id"])


async def test_preview_publish_decline_rematch(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    community_id, community = await builders.community()
    first = await builders.demand(community_id, title="需求一", tags=["elderly", "digital"])
    second = await builders.demand(community_id, title="需求二")
    offer_id = await builders.offer(world.org_id, capacity=1, tags=["elderly", "digital"])
    session_id = await session(client, world.changning_officer, rules={"unmatched_penalty": 10})
    base = f"/matching/sessions/{session_id}"

    previewed = ok(await client.post(f"{base}/preview", headers=officer))
    assert previewed["pairs"] == 1 and previewed["unmatched"] == 1 and previewed["previewed_at"]
    [pair] = ok(await client.get(f"{base}/pairs", headers=officer))
    assert (pair["demand_id"], pair["offer_id"], pair["source"]) == (first, offer_id, "solver")  # two shared tags
    assert pair["score"] == sum(pair["terms"].values()) and pair["terms"]["tag_overlap"] > 0
    [left] = ok(await client.get(f"{base}/unmatched", headers=officer))
    assert left["demand_id"] == second and left["reason"] == "capacity_taken" and "尚缺1家" in left["detail_zh"]

    published = ok(await client.post(f"{base}/publish", headers=officer))
    assert published["status"] == "published" and published["published_at"]
    [order] = await MatchOrder.select().where(MatchOrder.session == session_id)
    assert (order["demand"], order["offer"], order["status"]) == (first, offer_id, "matched")
    assert await Notification.count().where(Notification.user == world.applicant.id) == 1
    assert await Notification.count().where(Notification.user == community.id) == 1

    ok(
        await client.post(
            f"/matching/orders/{order['id']}/decline", json={"reason": "时间冲突"}, headers=world.applicant.headers
        )
    )
    ok(await client.post(f"{base}/rematch", headers=officer))
    again = ok(await client.post(f"{base}/preview", headers=officer))
    assert again["pairs"] == 1
    [pair] = ok(await client.get(f"{base}/pairs", headers=officer))
    assert (pair["demand_id"], pair["offer_id"]) == (second, offer_id)  # the declined pair is not proposed again
    [left] = ok(await client.get(f"{base}/unmatched", headers=officer))
    assert left["demand_id"] == first and left["reason"] == "no_candidate"
    ok(await client.post(f"{base}/publish", headers=officer))
    statuses = {r["demand"]: r["status"] for r in await MatchOrder.select().where(MatchOrder.session == session_id)}
    assert statuses == {first: "declined", second: "matched"}
    assert ok(await client.post(f"{base}/close", headers=officer))["status"] == "closed"
    problem(await client.post(f"{base}/preview", headers=officer), 409, "session_not_adjustable")


async def test_rematch_leaves_accepted_orders_alone(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    community_id, _ = await builders.community()
    demand_id = await builders.demand(community_id, providers_wanted=2)
    offers = [await builders.offer(world.org_id, capacity=1) for _ in range(3)]
    session_id = await session(client, world.changning_officer)
    base = f"/matching/sessions/{session_id}"
    assert ok(await client.post(f"{base}/preview", headers=officer))["pairs"] == 2
    ok(await client.post(f"{base}/publish", headers=officer))
    made = await MatchOrder.select().where(MatchOrder.session == session_id).order_by(MatchOrder.id)
    ok(await client.post(f"/matching/orders/{made[0]['id']}/accept", headers=world.applicant.headers))
    ok(
        await client.post(
            f"/matching/orders/{made[1]['id']}/decline", json={"reason": "人手不足"}, headers=world.applicant.headers
        )
    )

    ok(await client.post(f"{base}/rematch", headers=officer))
    assert ok(await client.post(f"{base}/preview", headers=officer))["pairs"] == 1  # one provider still wanted
    [pair] = ok(await client.get(f"{base}/pairs", headers=officer))
    assert pair["offer_id"] == (set(offers) - {made[0]["offer"], made[1]["offer"]}).pop()
    ok(await client.post(f"{base}/publish", headers=officer))
    after = {r["id"]: r["status"] for r in await MatchOrder.select().where(MatchOrder.demand == demand_id)}
    assert after[made[0]["id"]] == "accepted" and after[made[1]["id"]] == "declined" and len(after) == 3


async def test_adjust_by_hand_under_the_same_rules(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    community_id, _ = await builders.community()
    demand_id = await builders.demand(community_id)
    other_demand = await builders.demand(community_id)
    offer_id = await builders.offer(world.org_id, capacity=1)
    pudong_offer = await builders.offer(world.other_org_id)  # serves pudong only
    session_id = await session(client, world.changning_officer)
    base = f"/matching/sessions/{session_id}"
    ok(await client.post(f"{base}/preview", headers=officer))
    [pair] = ok(await client.get(f"{base}/pairs", headers=officer))
    # The two demands tie: whichever the solver chose, the other is the one left out.
    demand_id, other_demand = pair["demand_id"], ({demand_id, other_demand} - {pair["demand_id"]}).pop()

    problem(
        await client.post(f"{base}/pairs", json={"demand_id": other_demand, "offer_id": offer_id}, headers=officer),
        409,
        "pair_offer_full",
    )
    problem(
        await client.post(f"{base}/pairs", json={"demand_id": demand_id, "offer_id": pudong_offer}, headers=officer),
        409,
        "pair_out_of_area",
    )
    refused(
        await client.post(f"{base}/pairs", json={"demand_id": 999999, "offer_id": offer_id}, headers=officer),
        422,
        "pair_demand_unavailable",
        "demand_id",
    )
    refused(
        await client.post(f"{base}/pairs", json={"demand_id": demand_id, "offer_id": 999999}, headers=officer),
        422,
        "pair_offer_unavailable",
        "offer_id",
    )
    refused(
        await client.post(f"{base}/pairs", json={"demand_id": demand_id}, headers=officer), 422, "missing", "offer_id"
    )

    assert (await client.delete(f"{base}/pairs/{pair['id']}", headers=officer)).status_code == 204
    problem(await client.delete(f"{base}/pairs/{pair['id']}", headers=officer), 404, "not_found")
    added = ok(
        await client.post(f"{base}/pairs", json={"demand_id": other_demand, "offer_id": offer_id}, headers=officer), 201
    )
    assert added["source"] == "officer" and added["score"] == sum(added["terms"].values())
    problem(
        await client.post(f"{base}/pairs", json={"demand_id": other_demand, "offer_id": offer_id}, headers=officer),
        409,
        "pair_demand_full",
    )
    ok(await client.post(f"{base}/publish", headers=officer))
    [order] = await MatchOrder.select().where(MatchOrder.session == session_id)
    assert order["demand"] == other_demand
    problem(
        await client.post(f"{base}/pairs", json={"demand_id": demand_id, "offer_id": offer_id}, headers=officer),
        409,
        "session_not_adjustable",
    )


async def test_special_sessions_and_the_own_street_centre_rule(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    await MatchingTag.insert(MatchingTag(code="community_org", label_zh="社区社会组织", created_at=now_utc()))
    community_id, _ = await builders.community(street="华阳路街道")
    tagged_demand = await builders.demand(community_id, tags=["elderly", "community_org"])
    await builders.offer(world.org_id)  # no community_org tag
    special = await session(client, world.changning_officer, kind="special", required_tags=["community_org"])
    ok(await client.post(f"/matching/sessions/{special}/preview", headers=officer))
    [left] = ok(await client.get(f"/matching/sessions/{special}/unmatched", headers=officer))
    assert (left["demand_id"], left["reason"]) == (tagged_demand, "forbidden") and "专场" in left["detail_zh"]

    centre_id, _ = await factories.organisation(District.changning)
    await factories.designate_centre(centre_id, street="华阳路街道")
    await builders.offer(centre_id, capacity=5)
    strict = await session(client, world.changning_officer, rules={"forbid_own_street_centre": True})
    ok(await client.post(f"/matching/sessions/{strict}/preview", headers=officer))
    pairs = ok(await client.get(f"/matching/sessions/{strict}/pairs", headers=officer))
    assert pairs  # the other organisation's offer
    offers_used = {r["offer"] for r in await SessionPair.select(SessionPair.offer).where(SessionPair.session == strict)}
    centre_offers = {
        r["id"] for r in await ServiceOffer.select(ServiceOffer.id).where(ServiceOffer.organisation == centre_id)
    }
    assert not offers_used & centre_offers


async def test_bad_sessions_name_their_field(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    url = "/matching/sessions"
    refused(
        await client.post(url, json={"title": "对接", "district": "pudong"}, headers=officer),
        422,
        "session_out_of_scope",
        "district",
    )
    refused(
        await client.post(url, json={"title": "专场", "kind": "special"}, headers=officer),
        422,
        "special_session_unrestricted",
        "required_tags",
    )
    refused(
        await client.post(url, json={"title": "专场", "kind": "special", "required_tags": ["nope"]}, headers=officer),
        422,
        "unknown_tag",
        "required_tags",
    )
    refused(
        await client.post(url, json={"title": "对接", "rules": {"unmatched_penalty": -1}}, headers=officer),
        422,
        "greater_than_equal",
        "rules",
    )
    refused(await client.post(url, json={"title": "x"}, headers=officer), 422, "string_too_short", "title")
    special = ok(
        await client.post(
            url,
            json={
                "title": "社区社会组织专场",
                "kind": "special",
                "organisation_types": [OrganisationType.social_association.value],
            },
            headers=officer,
        ),
        201,
    )
    assert special["district"] == "changning" and special["status"] == "draft"
    city = ok(await client.post(url, json={"title": "全市对接"}, headers=world.city_officer.headers), 201)
    assert city["district"] is None


async def test_scope_roles_and_states(client: httpx.AsyncClient, world: World) -> None:
    created = ok(
        await client.post("/matching/sessions", json={"title": "长宁区对接"}, headers=world.changning_officer.headers),
        201,
    )
    base = f"/matching/sessions/{created['id']}"
    problem(
        await client.post(f"{base}/preview", headers=world.changning_officer.headers), 409, "session_not_adjustable"
    )
    problem(
        await client.post(f"{base}/publish", headers=world.changning_officer.headers), 409, "transition_invalid_state"
    )
    problem(await client.get(base, headers=world.pudong_officer.headers), 404, "not_found")
    problem(await client.post(f"{base}/open", headers=world.pudong_officer.headers), 404, "not_found")
    for who in (world.applicant, world.community):
        assert (await client.get(base, headers=who.headers)).status_code == 403
    assert ok(await client.get(base, headers=world.city_officer.headers))["id"] == created["id"]
    assert [s["id"] for s in ok(await client.get("/matching/sessions", headers=world.pudong_officer.headers))] == []
    listed = await client.get("/matching/sessions", headers=world.city_officer.headers)
    assert [s["id"] for s in ok(listed)] == [created["id"]] and listed.headers["X-Total-Count"] == "1"
    refused(
        await client.post(f"{base}/cancel", json={"reason": ""}, headers=world.changning_officer.headers),
        422,
        "string_too_short",
        "reason",
    )
    cancelled = ok(
        await client.post(f"{base}/cancel", json={"reason": "活动延期"}, headers=world.changning_officer.headers)
    )
    assert cancelled["status"] == "cancelled"


async def test_fifty_concurrent_publishes_and_adjustments(client: httpx.AsyncClient, world: World) -> None:
    officer = world.changning_officer.headers
    community_id, _ = await builders.community()
    demands = [await builders.demand(community_id) for _ in range(50)]
    offer_id = await builders.offer(world.org_id, capacity=1)
    session_id = await session(client, world.changning_officer)
    base = f"/matching/sessions/{session_id}"
    ok(await client.post(f"{base}/preview", headers=officer))
    [pair] = ok(await client.get(f"{base}/pairs", headers=officer))
    assert (await client.delete(f"{base}/pairs/{pair['id']}", headers=officer)).status_code == 204

    # 50 officers' hands on the offer's one unit: the session's lock lets exactly one pair in.
    adds = await asyncio.gather(
        *[client.post(f"{base}/pairs", json={"demand_id": d, "offer_id": offer_id}, headers=officer) for d in demands]
    )
    assert sum(r.status_code == 201 for r in adds) == 1
    assert all(r.json()["code"] == "pair_offer_full" for r in adds if r.status_code != 201)
    assert await SessionPair.count().where(SessionPair.session == session_id) == 1

    publishes = await asyncio.gather(*[client.post(f"{base}/publish", headers=officer) for _ in range(50)])
    assert sum(r.status_code == 200 for r in publishes) == 1
    assert all(r.json()["code"] == "transition_invalid_state" for r in publishes if r.status_code != 200)
    assert await MatchOrder.count().where(MatchOrder.session == session_id) == 1


async def test_publish_skips_demands_closed_since_the_preview(client: httpx.AsyncClient, world: World) -> None:
    from programmes.matching.tables import Demand

    officer = world.changning_officer.headers
    community_id, _ = await builders.community()
    kept, closed = await builders.demand(community_id), await builders.demand(community_id)
    await builders.offer(world.org_id, capacity=5)
    session_id = await session(client, world.changning_officer)
    assert ok(await client.post(f"/matching/sessions/{session_id}/preview", headers=officer))["pairs"] == 2
    await Demand.update({Demand.status: "closed"}).where(Demand.id == closed)

    ok(await client.post(f"/matching/sessions/{session_id}/publish", headers=officer))

    assert [r["demand"] for r in await MatchOrder.select(MatchOrder.demand)] == [kept]
