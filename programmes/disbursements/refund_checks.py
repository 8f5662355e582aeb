"""Reconciliation rules for clawbacks (追回) and their ``refund`` ledger entries — rule (g) of ``reconciliation``.

Kept apart from ``reconciliation.py`` so that module stays about payments; ``reconcile()`` calls ``check_refunds``
with the rows it already read in its snapshot. Pure: rows in, discrepancies out through ``flag``.

(g) per clawback: its refunds add up to at most its amount (``refund_exceeds_clawback``); it is ``settled``
    exactly when they add up to its amount (``clawback_settled_mismatch``); a withdrawn clawback has no refunds
    (``withdrawn_clawback_refunded``); a refund names an existing clawback of its own award
    (``refund_clawback_mismatch``); per award, refunds never exceed what was disbursed
    (``refund_without_disbursement``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from app.money import yuan
from programmes.ledger.tables import LedgerKind
from programmes.workflows.supervision import CLAWBACK, ClawbackStatus

Flag = Callable[[str, str, str], None]  # (code, subject, zh-CN message)


def check_refunds(
    clawbacks: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    award_sums: Mapping[int, Mapping[str, int]],
    flag: Flag,
) -> None:
    by_id = {int(c["id"]): c for c in clawbacks}
    refunded: dict[int, int] = defaultdict(int)
    for entry in entries:
        if entry["kind"] != LedgerKind.refund:
            continue
        clawback = by_id.get(int(entry["clawback"])) if entry["clawback"] is not None else None
        if clawback is None or entry["award"] is None or int(clawback["award"]) != int(entry["award"]):
            flag(
                "refund_clawback_mismatch",
                f"ledger_entry:{entry['id']}",
                f"账本退款记录 {entry['id']}（{yuan(int(entry['amount_fen']))}）记在资助 {entry['award']} 名下，"
                f"但所关联的追回 {entry['clawback']} 不存在或不属于该资助",
            )
            continue
        refunded[int(clawback["id"])] += int(entry["amount_fen"])

    for clawback_id, clawback in sorted(by_id.items()):
        amount, status, got = int(clawback["amount_fen"]), str(clawback["status"]), refunded.get(clawback_id, 0)
        subject = f"clawback:{clawback_id}"
        if got > amount:
            flag(
                "refund_exceeds_clawback",
                subject,
                f"追回 {clawback_id} 金额 {yuan(amount)}，账本退款合计 {yuan(got)}，超出追回金额",
            )
        if status == ClawbackStatus.withdrawn and got:
            flag("withdrawn_clawback_refunded", subject, f"追回 {clawback_id} 已撤回，但账本有退款 {yuan(got)}")
        elif (status == ClawbackStatus.settled) != (got == amount):
            flag(
                "clawback_settled_mismatch",
                subject,
                f"追回 {clawback_id} 状态为「{CLAWBACK.states.get(status, '未知')}」，"
                f"金额 {yuan(amount)}，账本退款合计 {yuan(got)}："
                "全额退回与「已全额退回」状态须一致",
            )

    for award_id, sums in sorted(award_sums.items()):
        refund, disbursed = sums.get(LedgerKind.refund, 0), sums.get(LedgerKind.disbursement, 0)
        if refund > disbursed:
            flag(
                "refund_without_disbursement",
                f"award:{award_id}",
                f"资助 {award_id} 已拨付 {yuan(disbursed)}，但账本退款合计 {yuan(refund)}，退款多于拨付",
            )
