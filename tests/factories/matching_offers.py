"""Builders for offers' tests: tags in the vocabulary, an approved 聚力计划 registration, orders with a record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.timezone import now_utc
from programmes.matching.tables import MatchingTag, MatchOrder, OrderEvaluation
from programmes.tables import Application
from tests import factories
from tests.factories import User


async def tags(*codes: str, active: bool = True) -> None:
    """Codes in the vocabulary (kept if a migration seeded them already)."""
    for code in codes:
        await MatchingTag.raw(
            "INSERT INTO matching_tag (code, label_zh, active, created_at) VALUES ({}, {}, {}, now())"
            " ON CONFLICT (code) DO UPDATE SET active = EXCLUDED.active",
            code,
            f"标签{code}",
            active,
        )


async def approved_registration(officer: User, organisation_id: int, **answers: Any) -> int:
    """An approved application of a 聚力计划 (matching-kind) round, inserted in that state."""
    round_ = await factories.contest_round(officer, kind="matching")
    rows = await Application.insert(
        Application(
            round=round_["id"],
            organisation=organisation_id,
            title="银龄数字课堂（登记）",
            status="approved",
            answers=answers,
            created_at=now_utc(),
            updated_at=now_utc(),
        )
    ).returning(Application.id)
    return int(rows[0]["id"])


async def order(
    demand_id: int,
    offer_id: int,
    organisation_id: int,
    *,
    status: str = "delivered",
    delivered_days_after_end: int | None = None,
    overall: int | None = None,
) -> int:
    """An order in ``status``; delivered ``delivered_days_after_end`` days after the demand's period end (negative:
    before it), evaluated ``overall`` if given."""
    from programmes.matching.tables import Demand

    demand = await Demand.select(Demand.period_end, Demand.scope_district).where(Demand.id == demand_id).first()
    assert demand is not None
    delivered_at = None
    if delivered_days_after_end is not None:
        end = demand["period_end"]
        delivered_at = now_utc().replace(year=end.year, month=end.month, day=end.day, hour=4) + timedelta(
            days=delivered_days_after_end
        )
    rows = await MatchOrder.insert(
        MatchOrder(
            demand=demand_id,
            offer=offer_id,
            organisation=organisation_id,
            status=status,
            delivered_at=delivered_at,
            scope_district=demand["scope_district"],
            created_at=now_utc(),
        )
    ).returning(MatchOrder.id)
    order_id = int(rows[0]["id"])
    if overall is not None:
        await OrderEvaluation.insert(
            OrderEvaluation(order=order_id, overall=overall, ratings={"quality": overall}, created_at=now_utc())
        )
    return order_id
