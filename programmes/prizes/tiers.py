"""An edition's prize tiers, set as a whole (so the budget check sees every tier at once) until the prizes are
confirmed. Counts and amounts are not negative; a tier with money names a budget line of the edition; the money
of all tiers on a line fits what the line still has available, and the whole within the edition's lines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.money import yuan
from app.paging import Page, PageParams, fetch_page
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.catalogue.access import EDITIONS
from programmes.ledger import service as ledger
from programmes.prizes.schemas import TierIn, TierPlaceRead, TierRead, TierSet
from programmes.prizes.tables import PrizeConfirmation, PrizeTier
from programmes.tables import BudgetLine, Edition


def tier_total(places: list[dict[str, Any]]) -> int:
    return sum(int(p["count"]) * int(p["amount_fen"]) for p in places)


def read_tier(row: dict[str, Any]) -> TierRead:
    places = row["places"] or []
    return TierRead(
        id=row["id"],
        edition_id=row["edition"],
        name=row["name"],
        position=row["position"],
        budget_line_id=row["budget_line"],
        places=[TierPlaceRead(**p) for p in places],
        total_fen=tier_total(places),
    )


async def _check(edition_id: int, tiers: list[TierIn]) -> None:
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise invalid("tier_name_duplicate", "同一届次的奖项名称不能重复", "tiers")
    positions = [t.position for t in tiers]
    if len(set(positions)) != len(positions):
        raise invalid("tier_position_duplicate", "同一届次的奖项名次不能重复", "tiers")
    lines = {
        int(r["id"]): int(r["amount_fen"])
        for r in await BudgetLine.select(BudgetLine.id, BudgetLine.amount_fen).where(BudgetLine.edition == edition_id)
    }
    needed: dict[int, int] = defaultdict(int)
    for n, tier in enumerate(tiers):
        money = sum(p.count * p.amount_fen for p in tier.places)
        if tier.budget_line_id is None:
            if money:
                raise invalid(
                    "budget_line_required", f"「{tier.name}」设有奖金，须选择预算科目", f"tiers.{n}.budget_line_id"
                )
            continue
        if tier.budget_line_id not in lines:
            raise invalid("budget_line_invalid", "预算科目不存在或不属于该届次", f"tiers.{n}.budget_line_id")
        needed[tier.budget_line_id] += money
    for line_id, money in needed.items():
        available = await ledger.available(line_id)
        if money > available:
            raise invalid(
                "prizes_over_budget",
                f"预算科目 {line_id} 上的奖金合计 {yuan(money)} 超过其可用余额 {yuan(available)}",
                "tiers",
            )


async def set_tiers(principal: Principal, edition_id: int, data: TierSet) -> list[TierRead]:
    """Replace the edition's tiers (officers in the edition's scope), refused once its prizes are confirmed."""
    async with unit_of_work(Actor.of(principal)) as uow:
        # The edition's lock serialises tier changes with each other and with the confirmation.
        edition = await load(
            principal, EDITIONS.table, edition_id, columns=(Edition.id, Edition.scope_district), lock=True
        )
        if await PrizeConfirmation.exists().where(PrizeConfirmation.edition == edition_id):
            raise conflict("prizes_confirmed", "本届奖项已确定，不能再修改奖项设置")
        await _check(edition_id, data.tiers)
        before = (
            await PrizeTier.select(PrizeTier.name, PrizeTier.places)
            .where(PrizeTier.edition == edition_id)
            .output(load_json=True)
        )
        await PrizeTier.delete().where(PrizeTier.edition == edition_id)
        await PrizeTier.insert(
            *[
                PrizeTier(
                    edition=edition_id,
                    name=t.name,
                    position=t.position,
                    budget_line=t.budget_line_id,
                    places=[p.model_dump() for p in t.places],
                    scope_district=edition["scope_district"],
                )
                for t in data.tiers
            ]
        )
        await uow.audit(
            "prize_tiers.set",
            "edition",
            edition_id,
            before={"tiers": [dict(r) for r in before]},
            after={"tiers": [t.model_dump() for t in data.tiers]},
        )
    return [read_tier(row) for row in await tiers_of(edition_id)]


async def list_tiers(principal: Principal, edition_id: int, params: PageParams) -> Page[TierRead]:
    await load(principal, EDITIONS.table, edition_id, columns=(Edition.id, Edition.scope_district))
    query = PrizeTier.select().order_by(PrizeTier.position).order_by(PrizeTier.id).output(load_json=True)
    page = await fetch_page(PrizeTier, query, params, PrizeTier.edition == edition_id)
    return page.map([read_tier(row) for row in page.items])


async def tiers_of(edition_id: int) -> list[dict[str, Any]]:
    rows = (
        await PrizeTier.select()
        .where(PrizeTier.edition == edition_id)
        .order_by(PrizeTier.position)
        .output(load_json=True)
    )
    return [dict(r) for r in rows]
