"""Reconciliation (对账): the ledger, the tranches and the provider's statement must tell the same story.

Three independent records of one payment exist: the tranche's status (and its batch item), the ``disbursement``
ledger entry, and the transfer the bank made. ``reconcile()`` reads all three and lists every place where they
disagree, each with a stable English ``code`` for programs and a zh-CN ``message`` for people. It never changes
anything: fixing a discrepancy is an officer's (or a re-run payment job's) decision.

The bank's side comes from a *statement source*: an async function returning the provider's transfers as
``StatementLine``s. The default, ``simulated_statement``, reads the simulated provider's ``simulated_transfer``
table; a real bank or treasury connector supplies a function that downloads its 对账单 and maps each line to the
idempotency key Seedbed sent with the transfer (``tranche:<id>``).

Rules (codes in brackets):

(a) every ``paid`` tranche has exactly one disbursement entry and exactly one transfer, both for its amount
    (``paid_tranche_without_disbursement``, ``duplicate_disbursement``, ``disbursement_amount_mismatch``,
    ``paid_tranche_without_transfer``, ``duplicate_transfer``, ``transfer_amount_mismatch``);
(b) no disbursement entry and no transfer without a paid tranche (``disbursement_without_paid_tranche``,
    ``transfer_without_tranche``, ``transfer_without_paid_tranche``; a transfer whose tranche is still in a batch
    awaiting payment is ``transfer_not_recorded``: the bank paid, the job has not recorded it yet — in flight, or
    a worker died between the two, which re-running the batch's job repairs);
(c) per award: exactly one obligation entry (``obligation_missing``, ``duplicate_obligation``); the net
    obligation (obligation − reversals − refunds) equals the award amount less what was refunded while the award is
    active (``obligation_amount_mismatch``) and equals what was paid less what was refunded once it is cancelled
    (``cancelled_award_not_released``); Σ disbursements ≤ award amount and ≤ net obligation + refunds
    (``award_overdisbursed``); the live (not cancelled) tranches of an active award add up to its amount
    (``tranches_not_award_amount``); every entry names its award's budget line and a disbursement its tranche's
    award (``ledger_budget_line_mismatch``, ``ledger_award_mismatch``);
(d) per budget line: Σ obligations − Σ reversals − Σ refunds ≤ amount (``budget_line_overobligated``; the net
    obligation is ``programmes.ledger.service.net_obligation``, the same arithmetic the awards use);
(e) batch items: a ``paid`` item has a ``paid`` tranche and a paid tranche exactly one ``paid`` item, whose
    provider reference is the transfer's (``paid_item_tranche_not_paid``, ``paid_tranche_without_paid_item``,
    ``tranche_paid_in_several_items``, ``item_reference_mismatch``);
(f) no batch stays ``approved`` with pending items for longer than ``stalled_after`` (``batch_stalled``): its
    payment job died or failed and nothing will pay those tranches until someone re-runs it;
(g) clawbacks and refunds: see ``refund_checks`` (``refund_exceeds_clawback``, ``clawback_settled_mismatch``,
    ``withdrawn_clawback_refunded``, ``refund_clawback_mismatch``, ``refund_without_disbursement``);
(h) 聚力计划 orders bought as a service: see ``order_checks`` (the award rules of (c), per order). In (c) and (b)
    a ledger entry and a tranche belong to an award or an order, and the links are checked against either.

This module reads the snapshot and checks (f); ``payment_checks.Books`` applies (a)–(e), ``refund_checks`` (g)
and ``order_checks`` (h).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.db import engine
from app.timezone import shown
from programmes.disbursements.payment_checks import Books
from programmes.disbursements.statement import (
    Discrepancy,
    ReconciliationReport,
    Statement,
    StatementLine,
    simulated_statement,
)
from programmes.ledger import service as ledger
from programmes.tables import Tranche

__all__ = ["Discrepancy", "ReconciliationReport", "Statement", "StatementLine", "reconcile", "simulated_statement"]


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Tranche.raw(sql, *args)  # any table's raw() runs plain SQL
    return rows


async def reconcile(
    statement: Statement = simulated_statement, stalled_after: timedelta = timedelta(hours=1)
) -> ReconciliationReport:
    """Compare ledger, tranches/batch items and the provider's statement; list every discrepancy.

    Reads one consistent snapshot (REPEATABLE READ, READ ONLY). Call it outside any transaction.
    """
    db = engine()
    outermost = db.current_transaction.get() is None
    async with db.transaction() as transaction:
        if outermost:  # only the first statement of a transaction may set its isolation level
            await transaction.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        tranches = await _rows("SELECT id, award, match_order, amount_fen, status FROM tranche")
        entries = await ledger.entries_with_links()
        awards = await _rows("SELECT id, amount_fen, status FROM award")
        orders = await _rows("SELECT id, amount_fen, status FROM match_order WHERE amount_fen IS NOT NULL")
        lines = await _rows("SELECT id, amount_fen FROM budget_line")
        clawbacks = await _rows("SELECT id, award, amount_fen, status FROM clawback")
        items = await _rows(
            "SELECT id, batch, tranche, status, provider_reference FROM payment_batch_item"
            " WHERE status IN ('paid', 'pending')"
        )
        stalled = await _rows(
            "SELECT b.id, b.approved_at, count(*) AS pending FROM payment_batch b"
            " JOIN payment_batch_item i ON i.batch = b.id AND i.status = 'pending'"
            " WHERE b.status = 'approved' AND b.approved_at < now() - {}::interval GROUP BY b.id, b.approved_at",
            stalled_after,
        )
        transfers = list(await statement())
    books = Books(tranches, entries, awards, lines, items, transfers, clawbacks)
    books.orders = orders
    for batch in sorted(stalled, key=lambda b: int(b["id"])):
        books.flag(
            "batch_stalled",
            f"payment_batch:{batch['id']}",
            f"支付批次 {batch['id']} 于 {shown(batch['approved_at']):%Y-%m-%d %H:%M} 审批，仍有 {batch['pending']} 笔"
            "待支付：支付任务可能已中断或失败，请查看 worker 日志后重新运行该批次的支付任务",
        )
    return books.check()
