"""Orders (订单): 接单, decline, start of delivery, cancellation; each step through the ORDER workflow, audited,
notified.

Capacity is decided under locks, never after the fact. Every step that can change what an offer or a demand holds
locks in one order — the demand, then the offer, then the order (the engine's lock) — so two steps on overlapping
rows wait for each other instead of deadlocking. 接单 counts the offer's ``holds_capacity`` orders under the offer's
lock (``offer_capacity_full``) and the demand's ``provides`` orders under the demand's lock (``demand_filled``);
then the demand follows (``match_partly`` / ``match_fully``), and a decline or cancellation reopens it.
"""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import conflict, not_found
from app.notifications.service import notify_organisations, notify_user
from app.organisations.membership import acting_organisation_ids
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.access import ORDERS, community_of_user
from programmes.matching.order_money import release_on_cancel
from programmes.matching.schemas_order import EvaluationRead, OrderRead
from programmes.matching.tables import (
    CommunityMember,
    DeliveryRecord,
    Demand,
    MatchOrder,
    OrderEvaluation,
    ServiceOffer,
)
from programmes.workflows.demand import DEMAND, DemandStatus
from programmes.workflows.orders import ORDER, OrderStatus


async def _demand_community(demand_id: int) -> int | None:
    row = await Demand.select(Demand.community).where(Demand.id == demand_id).first()
    return int(row["community"]) if row else None


async def notify_community(community_id: int, kind: str, title: str, body: str, dedupe_key: str) -> None:
    members = await CommunityMember.select(CommunityMember.user).where(CommunityMember.community == community_id)
    for user_id in sorted({m["user"] for m in members}):
        await notify_user(user_id, kind, title, body, f"{dedupe_key}:{user_id}")


async def lock_demand(demand_id: int) -> dict[str, Any]:
    rows = await Demand.select().where(Demand.id == demand_id).lock_rows("UPDATE")
    if not rows:
        raise not_found("需求")
    return dict(rows[0])


async def providers_of(demand_id: int) -> int:
    """Organisations that have taken the demand (``provides`` orders)."""
    return int(
        await MatchOrder.count().where(
            MatchOrder.demand == demand_id, MatchOrder.status.is_in(ORDER.states_with("provides"))
        )
    )


async def capacity_held(offer_id: int) -> int:
    return int(
        await MatchOrder.count().where(
            MatchOrder.offer == offer_id, MatchOrder.status.is_in(ORDER.states_with("holds_capacity"))
        )
    )


async def follow_demand(demand: dict[str, Any]) -> None:
    """Move the (locked) demand to what its orders say now: matched when every wanted provider has taken it,
    partly matched when some have, published again when none has. Seedbed's step, not the caller's."""
    status = demand["status"]
    if status not in (DemandStatus.published, DemandStatus.partly_matched, DemandStatus.matched):
        return  # closed or expired: orders no longer move it
    taken = await providers_of(demand["id"])
    if taken >= demand["providers_wanted"]:
        action = None if status == DemandStatus.matched else "match_fully"
    elif taken > 0:
        action = None if status == DemandStatus.partly_matched else "match_partly"
    else:
        action = None if status == DemandStatus.published else "reopen"
    if action is not None:
        async with unit_of_work(Actor.system()) as seedbed:
            await seedbed.transition(Demand, demand["id"], action)


WITHDRAWN_ZH = "需求已由其他机构承接满额，本次匹配自动撤销"


async def withdraw_surplus_matches(demand: dict[str, Any]) -> None:
    """Once the (locked) demand has all its providers, its other matched orders can never be accepted: Seedbed
    withdraws them and tells their organisations, rather than leaving them to fail at 接单."""
    if await providers_of(demand["id"]) < demand["providers_wanted"]:
        return
    surplus = await MatchOrder.select(MatchOrder.id, MatchOrder.organisation).where(
        MatchOrder.demand == demand["id"], MatchOrder.status == OrderStatus.matched
    )
    async with unit_of_work(Actor.system()) as seedbed:
        for other in surplus:
            await seedbed.transition(
                MatchOrder, other["id"], "withdraw_match", values={"decision_reason": WITHDRAWN_ZH}, reason=WITHDRAWN_ZH
            )
            await notify_organisations(
                [other["organisation"]],
                "match_order",
                "匹配已撤销",
                f"需求“{demand['title']}”已由其他机构承接满额，贵机构的匹配已自动撤销。",
                f"match_order:{other['id']}:withdrawn",
            )


async def accept(principal: Principal, order_id: int) -> OrderRead:
    """接单: the organisation takes a matched order, if its offer has a free unit and the demand still wants one."""
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "organisation")
        demand = await lock_demand(order["demand"])
        offer = (
            await ServiceOffer.select(ServiceOffer.id, ServiceOffer.capacity, ServiceOffer.title)
            .where(ServiceOffer.id == order["offer"])
            .lock_rows("UPDATE")
        )[0]
        if order["status"] == OrderStatus.matched:  # other states: the engine's refusal says why
            if not DEMAND.has(demand["status"], "takeable"):
                raise conflict("demand_not_takeable", f"该需求已不可承接（{DEMAND.states[demand['status']]}）")
            if await providers_of(demand["id"]) >= demand["providers_wanted"]:
                raise conflict("demand_filled", "该需求已有足够的承接机构")
            if await capacity_held(offer["id"]) >= offer["capacity"]:
                raise conflict("offer_capacity_full", f"服务项目同时承接数已满（上限 {offer['capacity']} 单）")
        await uow.transition(MatchOrder, order_id, "accept", values={"accepted_at": now_utc()})
        await follow_demand(demand)
        await withdraw_surplus_matches(demand)
        await notify_community(
            demand["community"],
            "match_order",
            "机构已接单",
            f"需求“{demand['title']}”已由服务项目“{offer['title']}”接单。",
            f"match_order:{order_id}:accepted",
        )
    return await read(order_id)


async def decline(principal: Principal, order_id: int, reason: str) -> OrderRead:
    """The organisation declines a matched order (reason required); the pair is freed for re-matching."""
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "organisation")
        demand = await lock_demand(order["demand"])
        await uow.transition(MatchOrder, order_id, "decline", values={"decision_reason": reason}, reason=reason)
        await follow_demand(demand)
        await notify_community(
            demand["community"],
            "match_order",
            "机构婉拒了对接",
            f"需求“{demand['title']}”的匹配机构婉拒承接：{reason}。该需求将重新参与对接。",
            f"match_order:{order_id}:declined",
        )
    return await read(order_id)


async def start_delivery(principal: Principal, order_id: int) -> OrderRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "organisation")
        await uow.transition(MatchOrder, order_id, "start_delivery")
        community_id = await _demand_community(order["demand"])
        assert community_id is not None
        await notify_community(
            community_id, "match_order", "服务已开始", "承接机构已开始提供服务。", f"match_order:{order_id}:started"
        )
    return await read(order_id)


async def cancel(principal: Principal, order_id: int, reason: str) -> OrderRead:
    """The community or staff in scope cancel an order not yet delivered (reason required); the demand reopens. An
    unpaid obligation on it is released (``order_money.release_on_cancel``); a paid one refuses (409)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "staff" if principal.is_staff else "community")
        demand = await lock_demand(order["demand"])
        # Locked before its obligation is looked at, so a concurrent 转为购买服务 waits or is seen.
        locked = (await MatchOrder.select().where(MatchOrder.id == order_id).lock_rows("UPDATE"))[0]
        if ORDER.has(locked["status"], "holds_demand"):  # other states: the engine's refusal below says why
            await release_on_cancel(dict(locked), reason)
        await uow.transition(MatchOrder, order_id, "cancel", values={"decision_reason": reason}, reason=reason)
        await follow_demand(demand)
        await notify_organisations(
            [order["organisation"]],
            "match_order",
            "订单已取消",
            f"需求“{demand['title']}”的订单已取消：{reason}",
            f"match_order:{order_id}:cancelled",
        )
    return await read(order_id)


async def _read_models(rows: list[dict[str, Any]]) -> list[OrderRead]:
    """Read models for a page of orders: titles, served counts and evaluations in one query each."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    served: dict[int, int] = {}
    for record in await DeliveryRecord.select(DeliveryRecord.order, DeliveryRecord.beneficiaries_served).where(
        DeliveryRecord.order.is_in(ids)
    ):
        served[record["order"]] = served.get(record["order"], 0) + record["beneficiaries_served"]
    evaluations = {
        e["order"]: e
        for e in await OrderEvaluation.select().where(OrderEvaluation.order.is_in(ids)).output(load_json=True)
    }
    return [
        OrderRead(
            id=row["id"],
            demand_id=row["demand"],
            demand_title=row["demand.title"],
            offer_id=row["offer"],
            offer_title=row["offer.title"],
            organisation_id=row["organisation"],
            session_id=row["session"],
            offer_version=row["offer_version"],
            score=row["score"],
            status=row["status"],
            status_zh=ORDER.states[row["status"]],
            decision_reason=row["decision_reason"],
            amount_fen=row["amount_fen"],
            budget_line_id=row["budget_line"],
            payee_id=row["payee"],
            tranche_id=row["tranche"],
            tranche_status=row["tranche.status"],
            accepted_at=row["accepted_at"],
            delivered_at=row["delivered_at"],
            evaluated_at=row["evaluated_at"],
            created_at=row["created_at"],
            beneficiaries_served=served.get(row["id"], 0),
            evaluation=_evaluation(evaluations.get(row["id"])),
        )
        for row in rows
    ]


def _evaluation(row: dict[str, Any] | None) -> EvaluationRead | None:
    if row is None:
        return None
    return EvaluationRead(
        ratings=row["ratings"],
        overall=row["overall"],
        comment=row["comment"],
        response=row["response"],
        responded_at=row["responded_at"],
        created_at=row["created_at"],
    )


def _order_query() -> Any:
    return MatchOrder.select(
        *MatchOrder.all_columns(),
        MatchOrder.demand.title.as_alias("demand.title"),
        MatchOrder.offer.title,
        MatchOrder.tranche.status.as_alias("tranche.status"),
    )


async def read(order_id: int) -> OrderRead:
    rows = await _order_query().where(MatchOrder.id == order_id)
    if not rows:
        raise not_found(ORDERS.label_zh)
    return (await _read_models([dict(rows[0])]))[0]


async def read_for(principal: Principal, order_id: int) -> OrderRead:
    await load(
        principal,
        MatchOrder,
        order_id,
        "reader",
        columns=(MatchOrder.id, MatchOrder.organisation, MatchOrder.demand, MatchOrder.scope_district),
    )
    return await read(order_id)


async def list_for(principal: Principal, paging: PageParams, status: str | None = None) -> Page[OrderRead]:
    """The caller's orders, newest first: an organisation's own, a community's demands', staff's in scope."""
    where: list[Any] = []
    if principal.role is Role.applicant:
        where.append(MatchOrder.organisation.is_in(await acting_organisation_ids(principal.user_id) or [0]))
    elif principal.role is Role.community:
        where.append(MatchOrder.demand.community == (await community_of_user(principal.user_id) or 0))
    elif not principal.is_city_staff:
        where.append(MatchOrder.scope_district == principal.district)
    if status is not None:
        where.append(MatchOrder.status == status)
    page = await fetch_page(MatchOrder, _order_query().order_by(MatchOrder.id, ascending=False), paging, *where)
    return page.map(await _read_models(page.items))
