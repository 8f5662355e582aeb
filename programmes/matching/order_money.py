"""The money side of an order's own steps (政府购买服务, see ``obligations``): delivery confirmed releases the
order's tranche; a cancelled order gives its unpaid obligation back to the budget line. Called by ``orders`` and
``delivery`` inside their units of work, on the order row they hold locked."""

from __future__ import annotations

from typing import Any

from app.errors import conflict
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.tables import Tranche
from programmes.workflows.disbursement import TRANCHE


async def release_on_delivery(order: dict[str, Any]) -> None:
    """The community confirmed delivery: the order's planned tranche becomes payable (Seedbed's step)."""
    if order["tranche"] is None:
        return
    async with unit_of_work(Actor.system()) as seedbed:
        await seedbed.transition(Tranche, order["tranche"], "release", reason="社区已确认服务完成")


async def release_on_cancel(order: dict[str, Any], reason: str) -> None:
    """Before an order is cancelled (its row locked by the caller): an unpaid tranche is cancelled and the
    obligation reversed; money paid or on its way in a batch cannot be taken back this way (409)."""
    if order["tranche"] is None:
        return
    tranche = (await Tranche.select().where(Tranche.id == order["tranche"]).lock_rows("UPDATE"))[0]
    if not TRANCHE.has(tranche["status"], "unpaid"):
        raise conflict(
            "order_obligation_paid",
            f"订单的购买服务款项{TRANCHE.states[tranche['status']]}，不能取消订单（已支付的款项须走追回程序）",
        )
    async with unit_of_work(Actor.system()) as seedbed:
        await seedbed.transition(Tranche, tranche["id"], "cancel", reason=reason)
        held = await ledger.order_obligated(int(order["id"]))
        if held > 0:
            await ledger.post(
                LedgerKind.reversal,
                match_order_id=int(order["id"]),
                budget_line_id=int(order["budget_line"]),
                amount_fen=held,
                idempotency_key=f"match_order:{order['id']}:release",
                scope_district=order["scope_district"],
            )
        await seedbed.audit(
            "match_order.release_on_cancel",
            "match_order",
            int(order["id"]),
            after={"released_fen": held},
            reason=reason,
        )
