"""The 聚力计划 tables hold their rules in the database too (the services are tested in tests/api/matching)."""

from __future__ import annotations

import asyncpg
import pytest

from programmes.matching.tables import Demand, MatchOrder, ServiceOffer
from tests import factories
from tests.factories import matching


async def test_a_demand_offer_pair_has_one_live_order_and_ranges_are_checked(db: None) -> None:
    community_id, _ = await matching.community()
    demand_id = await matching.demand(community_id)
    org_id, _ = await factories.organisation()
    offer_id = await matching.offer(org_id)
    order = {"demand": demand_id, "offer": offer_id, "organisation": org_id}
    await MatchOrder.insert(MatchOrder(**order))
    with pytest.raises(asyncpg.UniqueViolationError):
        await MatchOrder.insert(MatchOrder(**order))
    await MatchOrder.update({MatchOrder.status: "declined"}).where(MatchOrder.demand == demand_id)
    await MatchOrder.insert(MatchOrder(**order))  # a declined order frees the pair
    assert await MatchOrder.count().where(MatchOrder.demand == demand_id) == 2
    with pytest.raises(asyncpg.CheckViolationError):
        await ServiceOffer.update({ServiceOffer.capacity: 0}).where(ServiceOffer.id == offer_id)
    with pytest.raises(asyncpg.CheckViolationError):
        await Demand.update({Demand.budget_min_fen: 500, Demand.budget_max_fen: 100}).where(Demand.id == demand_id)
    with pytest.raises(asyncpg.CheckViolationError):
        await Demand.update({Demand.status: "approved"}).where(Demand.id == demand_id)
