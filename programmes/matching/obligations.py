"""An order as a payable obligation (政府购买服务): where the demand carries a budget, an officer in scope obligates
an amount of a 聚力计划 budget line to an accepted or in-delivery order; its one tranche is released when the
community confirms delivery and is paid through the ordinary payment batches (four-eyes, the pay job,
reconciliation). Cancelling the order before payment cancels the tranche and reverses the obligation.

Money rules, as for awards (docs/money.md): the budget line is locked ``FOR UPDATE`` and its available money read
inside the lock (``budget_exceeded``), and the ledger's trigger repeats the check; the order row is locked first
(before the line, the order every path here takes), so of concurrent requests for one order one obligates and the
others see ``order_already_obligated``; the ledger's unique key ``match_order:<id>:obligation`` and the unique
``tranche.match_order`` hold the same rule in the database.
"""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.money import yuan
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.awards.service import payee_for
from programmes.kinds import ReleaseCondition
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.matching import orders
from programmes.matching.schemas_order import ObligationCreate, OrderRead
from programmes.matching.tables import Demand, MatchOrder
from programmes.tables import BudgetLine, ProgrammeKind, Tranche
from programmes.workflows.disbursement import TRANCHE
from programmes.workflows.orders import ORDER

LINE_INVALID_ZH = "预算科目不存在、不在您的管辖范围内，或不是聚力计划（市级或订单所在区）的预算科目"


async def _budget_line(principal: Principal, budget_line_id: int, order_scope: str | None) -> dict[str, Any]:
    """The locked budget line, if it is a 聚力计划 edition's, visible to the officer, and city level or the order's
    district; one 422 for all the rest, so existence does not leak."""
    lines = await BudgetLine.select().where(BudgetLine.id == budget_line_id).lock_rows("UPDATE")
    kind = await BudgetLine.select(BudgetLine.edition._.programme._.kind.as_alias("kind")).where(
        BudgetLine.id == budget_line_id
    )
    if (
        not lines
        or kind[0]["kind"] != ProgrammeKind.matching
        or not principal.can_see_district(lines[0]["scope_district"])
        or lines[0]["scope_district"] not in (None, order_scope)
    ):
        raise invalid("budget_line_invalid", LINE_INVALID_ZH, "budget_line_id")
    return dict(lines[0])


def _check_budget_range(demand: dict[str, Any], amount_fen: int) -> None:
    low, high = demand["budget_min_fen"], demand["budget_max_fen"]
    if low is None and high is None:
        raise invalid("order_in_kind", "该需求未列预算（以资源或志愿服务形式对接），订单不能转为购买服务", None)
    if (low is not None and amount_fen < low) or (high is not None and amount_fen > high):
        raise invalid(
            "amount_outside_budget",
            f"金额须在需求的预算范围内（{yuan(low or 0)} 至 {yuan(high) if high is not None else '不限'}）",
            "amount_fen",
        )


async def make_payable(principal: Principal, order_id: int, data: ObligationCreate) -> OrderRead:
    """Officer in scope: obligate ``amount_fen`` of a budget line to an accepted or in-delivery order with a
    budget. Writes the obligation entry and the order's one tranche (planned until delivery is confirmed)."""
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            order = await load(principal, MatchOrder, order_id, "staff", lock=True)
            if order["budget_line"] is not None:
                raise conflict("order_already_obligated", "该订单已转为购买服务，不能重复承诺资金")
            if not ORDER.has(order["status"], "payable"):
                raise conflict(
                    "order_not_payable",
                    f"只有已接单或服务中的订单可以转为购买服务（当前：{ORDER.states[order['status']]}）",
                )
            demand = await Demand.select().where(Demand.id == order["demand"]).first()
            assert demand is not None
            _check_budget_range(demand, data.amount_fen)
            line = await _budget_line(principal, data.budget_line_id, order["scope_district"])
            available = await ledger.available(line["id"])
            if data.amount_fen > available:
                raise conflict("budget_exceeded", f"预算余额不足：可用 {yuan(available)}")
            await _obligate(uow, order, line["id"], data.amount_fen)
    except UniqueViolationError as exc:  # a second path that skipped the order lock: the database keeps one
        raise conflict("order_already_obligated", "该订单已转为购买服务，不能重复承诺资金") from exc
    return await orders.read(order_id)


async def _obligate(uow: UnitOfWork, order: dict[str, Any], line_id: int, amount_fen: int) -> None:
    order_id, scope = int(order["id"]), order["scope_district"]
    payee_id = await payee_for(order["organisation"])
    await ledger.post(
        LedgerKind.obligation,
        match_order_id=order_id,
        budget_line_id=line_id,
        amount_fen=amount_fen,
        idempotency_key=f"match_order:{order_id}:obligation",
        scope_district=scope,
    )
    rows = await Tranche.insert(
        Tranche(
            match_order=order_id,
            sequence=1,
            amount_fen=amount_fen,
            status=TRANCHE.initial,
            release_condition=ReleaseCondition.on_delivery,
            scope_district=scope,
        )
    ).returning(Tranche.id)
    tranche_id = int(rows[0]["id"])
    await MatchOrder.update(
        {
            MatchOrder.budget_line: line_id,
            MatchOrder.amount_fen: amount_fen,
            MatchOrder.payee: payee_id,
            MatchOrder.tranche: tranche_id,
        }
    ).where(MatchOrder.id == order_id)
    await uow.audit(
        "match_order.obligate",
        "match_order",
        order_id,
        after={"budget_line_id": line_id, "amount_fen": amount_fen, "payee_id": payee_id, "tranche_id": tranche_id},
    )
