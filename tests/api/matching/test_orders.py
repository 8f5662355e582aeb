"""聚力计划 orders through the API: 接单 with its capacity and demand checks, decline, cancel, the demand following
its orders, every role's reach (other district, other community, other organisation: 404) and bad input."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from app.notifications.tables import Notification
from app.reference import District
from programmes.matching.tables import Demand, MatchOrder
from tests.factories import matching as builders
from tests.factories.http import assert_problem, ok, problem, refused
from tests.factories.matching_orders import matched_pair, order
from tests.factories.world import World

REASON = {"reason": "本季度人手不足，无法承接"}


async def demand_status(demand_id: int) -> str:
    row = await Demand.select(Demand.status).where(Demand.id == demand_id).first()
    assert row is not None
    return str(row["status"])


async def test_accept_moves_the_demand_and_notifies_the_community(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)

    body = ok(await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers))

    assert body["status"] == "accepted" and body["status_zh"] == "已接单" and body["accepted_at"]
    assert await demand_status(pair.demand_id) == "matched"
    assert await Notification.count().where(Notification.user == pair.community.id) == 1
    assert await AuditEntry.count().where(AuditEntry.action == "match_order.accept") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "demand.match_fully") == 1
    # Accepting twice: the engine's refusal names the state.
    again = await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers)
    assert_problem(again, 409)
    assert again.json()["code"] == "transition_invalid_state"


async def test_two_providers_wanted_partly_then_fully_matched(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id, providers_wanted=2)
    other_offer = await builders.offer(world.org_id, title="第二个项目")
    second = await order(pair.demand_id, other_offer, world.org_id)

    ok(await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers))
    assert await demand_status(pair.demand_id) == "partly_matched"
    ok(await client.post(f"/matching/orders/{second}/accept", headers=world.applicant.headers))
    assert await demand_status(pair.demand_id) == "matched"
    ok(await client.post(f"/matching/orders/{second}/cancel", json=REASON, headers=pair.community.headers))
    assert await demand_status(pair.demand_id) == "partly_matched"
    ok(
        await client.post(
            f"/matching/orders/{pair.order_id}/cancel", json=REASON, headers=world.changning_officer.headers
        )
    )
    assert await demand_status(pair.demand_id) == "published"


async def test_accept_refused_when_the_offer_is_full(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id, capacity=1)
    community_id, _ = await builders.community()
    busy_demand = await builders.demand(community_id)
    await order(busy_demand, pair.offer_id, world.org_id, "in_delivery")

    response = await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers)

    body = problem(response, 409, "offer_capacity_full")
    assert "上限 1 单" in body["detail"]
    assert await demand_status(pair.demand_id) == "published"


async def test_accept_refused_when_the_demand_has_its_providers(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    rival_offer = await builders.offer(world.other_org_id)
    rival = await order(pair.demand_id, rival_offer, world.other_org_id)
    ok(await client.post(f"/matching/orders/{rival}/accept", headers=world.other_applicant.headers))

    # The demand is full: Seedbed withdrew the other match and told its organisation.
    mine = ok(await client.get(f"/matching/orders/{pair.order_id}", headers=world.applicant.headers))
    assert mine["status"] == "cancelled" and "自动撤销" in mine["decision_reason"]
    assert await Notification.count().where(Notification.user == world.applicant.id) == 1
    response = await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers)
    problem(response, 409, "transition_invalid_state")

    # A demand still listed as takeable but holding its providers (e.g. fewer wanted since): demand_filled.
    await Demand.update({Demand.status: "partly_matched"}).where(Demand.id == pair.demand_id)
    late = await order(pair.demand_id, await builders.offer(world.org_id), world.org_id)
    problem(await client.post(f"/matching/orders/{late}/accept", headers=world.applicant.headers), 409, "demand_filled")
    closed_pair = await matched_pair(world.org_id, status="matched")
    await Demand.update({Demand.status: "closed"}).where(Demand.id == closed_pair.demand_id)
    problem(
        await client.post(f"/matching/orders/{closed_pair.order_id}/accept", headers=world.applicant.headers),
        409,
        "demand_not_takeable",
    )


async def test_decline_needs_a_reason_and_keeps_the_demand_open(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    url = f"/matching/orders/{pair.order_id}/decline"

    refused(
        await client.post(url, json={"reason": ""}, headers=world.applicant.headers), 422, "string_too_short", "reason"
    )
    refused(await client.post(url, json={}, headers=world.applicant.headers), 422, "missing", "reason")
    body = ok(await client.post(url, json=REASON, headers=world.applicant.headers))

    assert body["status"] == "declined" and body["decision_reason"] == REASON["reason"]
    assert await demand_status(pair.demand_id) == "published"
    assert await Notification.count().where(Notification.user == pair.community.id) == 1
    # A declined pair may be matched again later (the live-pair index ignores declined orders).
    await order(pair.demand_id, pair.offer_id, world.org_id)


async def test_decline_after_accepting_is_refused(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id, status="accepted")
    response = await client.post(
        f"/matching/orders/{pair.order_id}/decline", json=REASON, headers=world.applicant.headers
    )
    problem(response, 409, "transition_invalid_state")


async def test_cancel_needs_a_reason_and_reopens_the_demand(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    ok(await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers))
    url = f"/matching/orders/{pair.order_id}/cancel"

    refused(
        await client.post(url, json={"reason": "x"}, headers=pair.community.headers), 422, "string_too_short", "reason"
    )
    body = ok(await client.post(url, json=REASON, headers=pair.community.headers))

    assert body["status"] == "cancelled"
    assert await demand_status(pair.demand_id) == "published"
    problem(await client.post(url, json=REASON, headers=pair.community.headers), 409, "transition_invalid_state")


async def test_roles_outside_a_step_are_refused(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    base = f"/matching/orders/{pair.order_id}"
    assert (await client.post(f"{base}/accept", headers=pair.community.headers)).status_code == 403
    assert (await client.post(f"{base}/accept", headers=world.city_officer.headers)).status_code == 403
    assert (await client.post(f"{base}/cancel", json=REASON, headers=world.applicant.headers)).status_code == 403
    assert (await client.post(f"{base}/accept")).status_code == 401
    assert await MatchOrder.count().where(MatchOrder.status == "matched") == 1


async def test_out_of_reach_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    _, other_community = await builders.community(District.changning)
    base = f"/matching/orders/{pair.order_id}"

    for who in (world.other_applicant, other_community, world.pudong_officer):
        problem(await client.get(base, headers=who.headers), 404, "not_found")
    problem(await client.post(f"{base}/accept", headers=world.other_applicant.headers), 404, "not_found")
    problem(await client.post(f"{base}/cancel", json=REASON, headers=other_community.headers), 404, "not_found")
    problem(await client.post(f"{base}/cancel", json=REASON, headers=world.pudong_officer.headers), 404, "not_found")
    problem(await client.get("/matching/orders/999999", headers=world.applicant.headers), 404, "not_found")
    for who in (world.applicant, pair.community, world.changning_officer, world.city_officer, world.admin):
        assert ok(await client.get(base, headers=who.headers))["id"] == pair.order_id


async def test_lists_show_each_party_its_own(client: httpx.AsyncClient, world: World) -> None:
    mine = await matched_pair(world.org_id)
    theirs = await matched_pair(world.other_org_id, District.pudong)

    def ids(response: httpx.Response) -> list[int]:
        return [row["id"] for row in ok(response)]

    assert ids(await client.get("/matching/orders", headers=world.applicant.headers)) == [mine.order_id]
    assert ids(await client.get("/matching/orders", headers=theirs.community.headers)) == [theirs.order_id]
    assert ids(await client.get("/matching/orders", headers=world.pudong_officer.headers)) == [theirs.order_id]
    everything = await client.get("/matching/orders?limit=1", headers=world.city_officer.headers)
    assert ids(everything) == [theirs.order_id] and everything.headers["X-Total-Count"] == "2"
    assert everything.headers["X-Has-More"] == "true"
    filtered = await client.get("/matching/orders?status=accepted", headers=world.city_officer.headers)
    assert ids(filtered) == []
    assert (await client.get("/matching/orders?status=nonsense", headers=world.city_officer.headers)).status_code == 422
