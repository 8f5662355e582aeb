"""Reconciliation rules for 聚力计划 orders bought as a service (政府购买服务) — rule (h) of ``reconciliation``.

An order with an obligation is held to the award rules of (c): exactly one obligation entry
(``order_obligation_missing``, ``order_duplicate_obligation``); while the order is live its net obligation
(obligation − reversals) equals its amount (``order_obligation_amount_mismatch``), once cancelled it equals what was
paid (``cancelled_order_not_released``); Σ disbursements ≤ its amount (``order_overdisbursed``); its tranche, unless
cancelled, is its amount (``order_tranche_not_order_amount``). Pure: rows in, discrepancies out through ``flag``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.money import yuan
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.workflows.orders import OrderStatus

Flag = Callable[[str, str, str], None]  # (code, subject, zh-CN message)


def holder_zh(award_id: int | None, match_order_id: int | None) -> str:
    """Whose money a ledger entry or a tranche is, for people: 资助 N or 订单 N."""
    return f"资助 {award_id}" if award_id is not None else f"聚力计划订单 {match_order_id}"


def check_orders(
    orders: list[dict[str, Any]],
    order_sums: Mapping[int, Mapping[str, int]],
    live_tranche_fen: Mapping[int, int],
    flag: Flag,
) -> None:
    for order in sorted(orders, key=lambda o: int(o["id"])):
        order_id, amount = int(order["id"]), int(order["amount_fen"])
        subject, sums = f"match_order:{order_id}", order_sums.get(order_id, {})
        obligations = sums.get(f"{LedgerKind.obligation}_count", 0)
        net, disbursed = ledger.net_obligation(sums), sums.get(LedgerKind.disbursement, 0)
        live = order["status"] != OrderStatus.cancelled
        if obligations == 0:
            flag("order_obligation_missing", subject, f"订单 {order_id}（{yuan(amount)}）在账本中没有承诺记录")
        elif obligations > 1:
            flag("order_duplicate_obligation", subject, f"订单 {order_id} 在账本中有 {obligations} 条承诺记录")
        if obligations and live and net != amount:
            flag(
                "order_obligation_amount_mismatch",
                subject,
                f"订单 {order_id} 购买服务金额 {yuan(amount)}，账本净承诺为 {yuan(net)}",
            )
        if obligations and not live and net != disbursed:
            flag(
                "cancelled_order_not_released",
                subject,
                f"订单 {order_id} 已取消，已支付 {yuan(disbursed)}，但账本净承诺仍为 {yuan(net)}",
            )
        if disbursed > amount:
            flag("order_overdisbursed", subject, f"订单 {order_id} 已拨付 {yuan(disbursed)}，超过金额 {yuan(amount)}")
        tranche_fen = live_tranche_fen.get(order_id, 0)
        if live and tranche_fen != amount:
            flag(
                "order_tranche_not_order_amount",
                subject,
                f"订单 {order_id} 金额 {yuan(amount)}，但其未作废的拨付款项合计 {yuan(tranche_fen)}",
            )
