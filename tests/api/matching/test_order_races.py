"""Concurrent 接单 (issue 13): 50 organisations' worth of accepts race for the last unit of one offer, and 50
offers race for the one provider a demand wants. Exactly one wins each time; the rows are counted afterwards."""

from __future__ import annotations

import asyncio

import httpx

from app.audit import AuditEntry
from programmes.matching.tables import Demand, MatchOrder
from tests.factories import matching as builders
from tests.factories.http import problem
from tests.factories.matching_orders import order
from tests.factories.world import World

RACERS = 50


async def test_fifty_accepts_on_the_last_unit_of_one_offer(client: httpx.AsyncClient, world: World) -> None:
    offer_id = await builders.offer(world.org_id, capacity=3)
    community_id, _ = await builders.community()
    for _ in range(2):  # two units already held: one is left
        await order(await builders.demand(community_id), offer_id, world.org_id, "accepted")
    orders = [await order(await builders.demand(community_id), offer_id, world.org_id) for _ in range(RACERS)]

    responses = await asyncio.gather(
        *[client.post(f"/matching/orders/{o}/accept", headers=world.applicant.headers) for o in orders]
    )

    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, [r.text for r in responses if r.status_code != 409]
    for response in responses:
        if response.status_code != 200:
            problem(response, 409, "offer_capacity_full")
    held = await MatchOrder.count().where(MatchOrder.offer == offer_id, MatchOrder.status == "accepted")
    assert held == 3
    assert await MatchOrder.count().where(MatchOrder.offer == offer_id, MatchOrder.status == "matched") == RACERS - 1
    assert await AuditEntry.count().where(AuditEntry.action == "match_order.accept") == 1
    assert await Demand.count().where(Demand.status == "matched") == 1  # the winner's (the held ones are fixtures)


async def test_fifty_offers_race_for_the_one_provider_a_demand_wants(client: httpx.AsyncClient, world: World) -> None:
    community_id, _ = await builders.community()
    demand_id = await builders.demand(community_id)
    offers = [await builders.offer(world.org_id, capacity=1) for _ in range(RACERS)]
    orders = [await order(demand_id, offer_id, world.org_id) for offer_id in offers]

    responses = await asyncio.gather(
        *[client.post(f"/matching/orders/{o}/accept", headers=world.applicant.headers) for o in orders]
    )

    assert sum(r.status_code == 200 for r in responses) == 1
    for response in responses:
        if response.status_code != 200:
            # Read before the winner committed: the demand is matched now; read after: the order was withdrawn.
            assert response.json()["code"] in {"demand_not_takeable", "transition_invalid_state"}, response.text
    assert await MatchOrder.count().where(MatchOrder.demand == demand_id, MatchOrder.status == "accepted") == 1
    assert await Demand.count().where(Demand.id == demand_id, Demand.status == "matched") == 1
    # The 49 other matches can never be accepted: withdrawn by Seedbed in the winner's transaction.
    assert await MatchOrder.count().where(MatchOrder.demand == demand_id, MatchOrder.status == "cancelled") == 49
