"""聚力计划 builders for cases and impact: an order in a given state with its delivery records and evaluation, and
tags in the vocabulary. Rows are inserted directly (fixtures); what is under test goes through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import DeliveryRecord, MatchingTag, MatchOrder, OrderEvaluation
from tests import factories
from tests.factories import User
from tests.factories.matching import community, demand, offer


async def tags(*codes: str) -> None:
    """Active tags of the vocabulary (the ones tests use), if not there yet."""
    for code in codes:
        if not await MatchingTag.exists().where(MatchingTag.code == code):
            await MatchingTag.insert(MatchingTag(code=code, label_zh=code, active=True, created_at=now_utc()))


async def order(
    demand_id: int,
    offer_id: int,
    organisation_id: int,
    *,
    status: str = "evaluated",
    served: tuple[int, ...] = (30, 12),
    overall: int | None = 5,
    hours_to_accept: int = 48,
    session_id: int | None = None,
) -> int:
    """An order of ``offer_id`` on ``demand_id`` in ``status``; delivered ones carry delivery records serving
    ``served`` people, evaluated ones an evaluation rated ``overall``. Accepted ``hours_to_accept`` after the
    demand's publication (set to now minus ten days if it had none)."""
    from programmes.matching.tables import Demand

    row = await Demand.select(Demand.published_at, Demand.scope_district).where(Demand.id == demand_id).first()
    assert row is not None
    published = row["published_at"]
    if published is None:
        published = now_utc() - timedelta(days=10)
        await Demand.update({Demand.published_at: published}).where(Demand.id == demand_id)
    accepted = status not in ("matched", "declined")
    values: dict[str, Any] = {
        "demand": demand_id,
        "offer": offer_id,
        "organisation": organisation_id,
        "session": session_id,
        "status": status,
        "scope_district": row["scope_district"],
        "accepted_at": published + timedelta(hours=hours_to_accept) if accepted else None,
        "delivered_at": now_utc() if status in ("delivered", "evaluated") else None,
        "evaluated_at": now_utc() if status == "evaluated" else None,
        "created_at": now_utc(),
    }
    rows = await MatchOrder.insert(MatchOrder(**values)).returning(MatchOrder.id)
    order_id = int(rows[0]["id"])
    if status in ("in_delivery", "delivered", "evaluated"):
        for n, people in enumerate(served):
            await DeliveryRecord.insert(
                DeliveryRecord(
                    order=order_id,
                    delivered_on=now_utc().date() - timedelta(days=n),
                    activity=f"第 {n + 1} 次活动",
                    beneficiaries_served=people,
                    scope_district=row["scope_district"],
                    created_at=now_utc(),
                )
            )
    if status == "evaluated" and overall is not None:
        await OrderEvaluation.insert(
            OrderEvaluation(
                order=order_id,
                ratings={"quality": overall, "timeliness": 4, "communication": 5, "effect": overall},
                overall=overall,
                comment="服务认真",
                scope_district=row["scope_district"],
                created_at=now_utc(),
            )
        )
    return order_id


async def evaluated_order(district: District = District.changning) -> dict[str, Any]:
    """A community's published demand taken by an organisation of the same district, delivered and evaluated."""
    await tags("elderly", "digital", "community_org")
    community_id, account = await community(district)
    demand_id = await demand(community_id, status="matched", published_at=now_utc() - timedelta(days=20))
    organisation_id, member = await factories.organisation(district)
    offer_id = await offer(organisation_id)
    order_id = await order(demand_id, offer_id, organisation_id)
    return {
        "community_id": community_id,
        "community": account,
        "demand_id": demand_id,
        "organisation_id": organisation_id,
        "member": member,
        "offer_id": offer_id,
        "order_id": order_id,
    }


async def officer(district: District | None = None) -> User:
    from app.auth.tables import Role

    return await factories.user(Role.officer, district)
