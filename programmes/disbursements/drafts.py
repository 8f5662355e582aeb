"""Undoing a draft payment batch: discard it, or take one tranche out of it.

Either way the tranche goes back to ``released`` (payable, and free again to shrink or be cancelled with its award)
and its batch item becomes ``removed``, which no longer holds the tranche (partial unique index). Only drafts: once
approved, money is on its way. The batch row is locked first, so a concurrent approval either waits and then sees a
smaller batch, or wins and the removal answers 409.
"""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, not_found
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.disbursements.schemas import BatchRead
from programmes.disbursements.service import read_batch
from programmes.tables import PaymentBatch, PaymentBatchItem, Tranche
from programmes.workflows.disbursement import BatchItemStatus, PaymentBatchStatus


async def _pending_items(batch_id: int) -> list[dict[str, Any]]:
    return list(
        await PaymentBatchItem.select(PaymentBatchItem.id, PaymentBatchItem.tranche)
        .where((PaymentBatchItem.batch == batch_id) & (PaymentBatchItem.status == BatchItemStatus.pending))
        .order_by(PaymentBatchItem.tranche)
        .lock_rows("UPDATE")
    )


async def _take_out(uow: UnitOfWork, item: dict[str, Any], reason: str) -> None:
    await uow.transition(PaymentBatchItem, item["id"], "remove", reason=reason)
    await uow.transition(Tranche, item["tranche"], "remove_from_batch", reason=reason)


async def discard_batch(principal: Principal, batch_id: int, reason: str) -> BatchRead:
    """Officer in scope discards a draft batch (作废): every tranche in it is payable again. Audited with reason."""
    await load(principal, PaymentBatch, batch_id, columns=(PaymentBatch.scope_district,))
    async with unit_of_work(Actor.of(principal)) as uow:
        # The transition locks the batch row and refuses anything but a draft.
        await uow.transition(PaymentBatch, batch_id, "discard", reason=reason)
        items = await _pending_items(batch_id)
        for item in items:
            await _take_out(uow, item, reason)
        await uow.audit(
            "payment_batch.discard_release",
            "payment_batch",
            batch_id,
            before={"tranche_ids": [i["tranche"] for i in items]},
            after={"tranche_ids": []},
            reason=reason,
        )
    return await read_batch(batch_id)


async def remove_tranche(principal: Principal, batch_id: int, tranche_id: int, reason: str) -> BatchRead:
    """Officer in scope takes one tranche out of a draft batch (e.g. to reduce or cancel its award). The last one
    cannot be taken out: discard the batch instead, so no empty batch waits for approval. Audited with reason."""
    async with unit_of_work(Actor.of(principal)) as uow:
        batch = await load(principal, PaymentBatch, batch_id, lock=True)
        if batch["status"] != PaymentBatchStatus.draft:
            raise conflict("batch_not_draft", "只有草稿状态的支付批次可以移出款项（已审批的批次正在支付）")
        items = await _pending_items(batch_id)
        item = next((i for i in items if i["tranche"] == tranche_id), None)
        if item is None:
            raise not_found("支付批次中的款项")
        if len(items) == 1:
            raise conflict("batch_last_item", "这是批次中最后一笔款项，请直接作废该批次")
        await _take_out(uow, item, reason)
        await uow.audit(
            "payment_batch.remove_tranche",
            "payment_batch",
            batch_id,
            before={"tranche_ids": [i["tranche"] for i in items]},
            after={"tranche_ids": [i["tranche"] for i in items if i["tranche"] != tranche_id]},
            reason=reason,
        )
    return await read_batch(batch_id)
