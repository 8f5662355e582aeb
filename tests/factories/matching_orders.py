"""聚力计划 order builders: a community, an organisation's approved offer and a matched order between them.

Rows are inserted directly in the state a test needs; the behaviour under test goes through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import MatchOrder
from tests.factories import User
from tests.factories import matching as builders


@dataclass
class Pair:
    community_id: int
    community: User  # the demand's community account
    org_id: int
    offer_id: int
    demand_id: int
    order_id: int


async def order(demand_id: int, offer_id: int, organisation_id: int, status: str = "matched", **values: Any) -> int:
    from programmes.matching.tables import Demand

    demand = await Demand.select(Demand.scope_district).where(Demand.id == demand_id).first()
    assert demand is not None
    row = MatchOrder(
        demand=demand_id,
        offer=offer_id,
        organisation=organisation_id,
        status=status,
        scope_district=demand["scope_district"],
        created_at=now_utc(),
        **values,
    )
    rows = await MatchOrder.insert(row).returning(MatchOrder.id)
    return int(rows[0]["id"])


async def matched_pair(
    org_id: int, district: District = District.changning, *, capacity: int = 2, status: str = "matched", **demand: Any
) -> Pair:
    """A community of ``district`` with a published demand, ``org_id``'s approved offer, and an order between them
    (matched unless told otherwise)."""
    community_id, account = await builders.community(district)
    demand_id = await builders.demand(community_id, **demand)
    offer_id = await builders.offer(org_id, capacity=capacity)
    order_id = await order(demand_id, offer_id, org_id, status)
    return Pair(community_id, account, org_id, offer_id, demand_id, order_id)
