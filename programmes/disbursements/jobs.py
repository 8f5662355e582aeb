"""The payment job. Safe to run twice, or concurrently: each tranche is paid under a row lock, the provider
honours a per-tranche idempotency key, and the ledger's unique index admits one disbursement per tranche."""

from __future__ import annotations

import logging
from typing import Any

from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.disbursements.provider import PayeeAccount, PaymentProvider, PaymentRejected
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.matching.tables import MatchOrder
from programmes.payees.service import verified_account
from programmes.tables import Award, PaymentBatch, PaymentBatchItem, Tranche
from programmes.workflows.disbursement import BatchItemStatus, PaymentBatchStatus, TrancheStatus

log = logging.getLogger(__name__)


async def pay_batch(batch_id: int, provider: PaymentProvider) -> dict[str, int]:
    batch_row = await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch_id).first()
    if batch_row is None or batch_row["status"] != PaymentBatchStatus.approved:
        return {"paid": 0}  # only an approved batch is ever paid, whoever enqueued the job
    items = await PaymentBatchItem.select(PaymentBatchItem.id, PaymentBatchItem.tranche).where(
        (PaymentBatchItem.batch == batch_id) & (PaymentBatchItem.status == BatchItemStatus.pending)
    )
    paid = 0
    for item in items:
        async with unit_of_work(Actor.system()) as uow:  # one unit per item: each payment commits alone
            if await _pay_item(uow, item["id"], item["tranche"], provider):
                paid += 1
    async with unit_of_work(Actor.system()) as uow:
        batch = await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch_id).lock_rows("UPDATE")
        pending = await PaymentBatchItem.count().where(
            (PaymentBatchItem.batch == batch_id) & (PaymentBatchItem.status == BatchItemStatus.pending)
        )
        if batch and batch[0]["status"] == PaymentBatchStatus.approved and pending == 0:
            await uow.transition(PaymentBatch, batch_id, "complete")
    log.info("batch paid", extra={"batch_id": batch_id, "paid": paid})
    return {"paid": paid}


async def _holder(tranche: dict[str, Any]) -> dict[str, Any]:
    """The budget line and payee of whoever the tranche pays: its award, or its 聚力计划 order (政府购买服务)."""
    if tranche["award"] is not None:
        query = Award.select(Award.budget_line, Award.payee).where(Award.id == tranche["award"])
    else:
        query = MatchOrder.select(MatchOrder.budget_line, MatchOrder.payee).where(
            MatchOrder.id == tranche["match_order"]
        )
    holder: dict[str, Any] | None = await query.first()
    assert holder is not None
    return holder


async def _pay_item(uow: UnitOfWork, item_id: int, tranche_id: int, provider: PaymentProvider) -> bool:
    tranche = await Tranche.select().where(Tranche.id == tranche_id).lock_rows("UPDATE")
    item = await PaymentBatchItem.select(PaymentBatchItem.status).where(PaymentBatchItem.id == item_id).first()
    if (
        not tranche
        or item is None
        or item["status"] != BatchItemStatus.pending
        or tranche[0]["status"] != TrancheStatus.in_batch
    ):
        return False  # someone else got here first
    row = tranche[0]
    holder = await _holder(row)
    account = await verified_account(holder["payee"])
    try:
        if account is None:
            # The account was rejected or replaced since the batch was built: never guess where money goes.
            raise PaymentRejected("收款单位没有经核验的银行账户")
        payee = PayeeAccount(account.account_name, account.bank_name, account.account_number)
        receipt = await provider.transfer(
            idempotency_key=f"tranche:{tranche_id}", payee=payee, amount_fen=row["amount_fen"]
        )
    except PaymentRejected as rejection:
        await uow.transition(PaymentBatchItem, item_id, "mark_failed", values={"error": str(rejection)[:500]})
        await uow.transition(Tranche, tranche_id, "mark_failed", reason=str(rejection))
        return False
    await ledger.post(
        LedgerKind.disbursement,
        award_id=row["award"],
        match_order_id=row["match_order"],
        budget_line_id=holder["budget_line"],
        tranche_id=tranche_id,
        amount_fen=row["amount_fen"],
        idempotency_key=f"tranche:{tranche_id}:disbursement",
        scope_district=row["scope_district"],
    )
    await uow.transition(
        PaymentBatchItem,
        item_id,
        "mark_paid",
        values={"provider_reference": receipt.reference, "payee_account": account.id},
    )
    await uow.transition(Tranche, tranche_id, "mark_paid", reason=f"银行流水 {receipt.reference}")
    return True
