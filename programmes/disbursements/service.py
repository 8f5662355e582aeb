"""Payment batches: one officer builds them, a second approves them (four-eyes, 双人复核); the ``pay_batch`` job
pays them after commit. Discarding a draft and taking tranches out of one live in ``drafts.py``."""

from __future__ import annotations

import uuid

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, not_found
from app.money import yuan
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.disbursements.access import BATCHES
from programmes.disbursements.schemas import BatchCreate, BatchItemRead, BatchRead
from programmes.scope import ensure_staff_scope
from programmes.tables import PaymentBatch, PaymentBatchItem, Tranche
from programmes.workflows.disbursement import BATCH_ITEM, PAYMENT_BATCH, BatchItemStatus, PaymentBatchStatus


async def create_batch(principal: Principal, data: BatchCreate) -> BatchRead:
    """Officer puts released tranches of their scope into a new draft batch. All tranches share one scope."""
    tranche_ids = sorted(set(data.tranche_ids))
    tranches = await Tranche.select(Tranche.id, Tranche.scope_district).where(Tranche.id.is_in(tranche_ids))
    if len(tranches) != len(tranche_ids):
        raise not_found("拨付款项")
    districts = {t["scope_district"] for t in tranches}
    for district in districts:
        ensure_staff_scope(principal, district, "拨付款项")
    if len(districts) > 1:
        raise DomainError("batch_mixed_scope", "同一支付批次中的款项须属于同一级别（市级或同一区）", 422)
    await _ensure_payees_verified(tranche_ids)
    scope = districts.pop()
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            rows = await PaymentBatch.insert(
                PaymentBatch(
                    title=data.title, status=PAYMENT_BATCH.initial, scope_district=scope, created_by=principal.user_id
                )
            ).returning(PaymentBatch.id)
            batch_id = int(rows[0]["id"])
            for tranche_id in tranche_ids:
                await uow.transition(Tranche, tranche_id, "add_to_batch")
                await PaymentBatchItem.insert(
                    PaymentBatchItem(
                        batch=batch_id, tranche=tranche_id, status=BATCH_ITEM.initial, scope_district=scope
                    )
                )
            await uow.audit("payment_batch.create", "payment_batch", batch_id, after={"tranche_ids": tranche_ids})
    except UniqueViolationError as exc:
        raise conflict("tranche_already_in_batch", "款项已在其他支付批次中") from exc
    return await read_batch(batch_id)


async def _ensure_payees_verified(tranche_ids: list[int]) -> None:
    """Money only goes to an officer-verified account; say which tranches cannot be paid yet, before any write."""
    unverified = await Tranche.raw(
        # The payee is the award's, or the 聚力计划 order's (a tranche belongs to exactly one of them).
        "SELECT t.id FROM tranche t LEFT JOIN award a ON a.id = t.award LEFT JOIN match_order o ON o.id = t.match_order"
        " WHERE t.id = ANY({}) AND NOT EXISTS (SELECT 1 FROM bank_account b"
        " WHERE b.organisation = coalesce(a.payee, o.payee) AND b.status = 'verified') ORDER BY t.id",
        tranche_ids,
    )
    if unverified:
        ids = ", ".join(str(row["id"]) for row in unverified)
        raise DomainError(
            "payee_account_unverified",
            f"以下款项的收款单位没有经核验的银行账户：{ids}",
            409,
            [FieldError("tranche_ids", "payee_account_unverified", f"款项 {ids}")],
        )


async def approve_batch(principal: Principal, batch_id: int) -> BatchRead:
    """A second officer in scope approves a draft batch: never the officer who built it (four-eyes; a database
    trigger repeats the rule). The payment job is staged in the same transaction, delivered after commit."""
    async with unit_of_work(Actor.of(principal)) as uow:
        batch = await load(principal, PaymentBatch, batch_id, lock=True)
        ensure_second_officer(batch["created_by"], principal, "支付批次须由建立批次以外的另一名官员审批（双人复核）")
        pending = await PaymentBatchItem.count().where(
            (PaymentBatchItem.batch == batch_id) & (PaymentBatchItem.status == BatchItemStatus.pending)
        )
        if pending == 0:
            raise conflict("batch_empty", "支付批次中没有待支付的款项，不能审批")
        await uow.transition(
            PaymentBatch, batch_id, "approve", values={"approved_by": principal.user_id, "approved_at": now_utc()}
        )
        await uow.stage("pay_batch", f"pay_batch:{batch_id}", batch_id=batch_id)
    return await read_batch(batch_id)


def ensure_second_officer(first_user_id: int | None, principal: Principal, detail_zh: str) -> None:
    """Four-eyes: refuse the officer who took the first step (or a first step nobody can be named for)."""
    if first_user_id is None or first_user_id == principal.user_id:
        raise conflict("four_eyes_same_officer", detail_zh)


async def rerun_batch(principal: Principal, batch_id: int) -> BatchRead:
    """Officer in scope re-runs the payment job of an approved batch that still has pending items (its job was lost,
    or gave up after its tries). A fresh outbox key, because arq refuses a job id it has seen; paying twice is
    impossible anyway (row locks, states, the provider's idempotency key, the ledger's unique indexes)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        batch = await load(principal, PaymentBatch, batch_id, lock=True)
        pending = await PaymentBatchItem.count().where(
            (PaymentBatchItem.batch == batch_id) & (PaymentBatchItem.status == BatchItemStatus.pending)
        )
        if batch["status"] != PaymentBatchStatus.approved or pending == 0:
            raise conflict("batch_not_rerunnable", "只有已审批且仍有待支付款项的批次可以重新执行支付")
        key = f"pay_batch:{batch_id}:rerun:{uuid.uuid4().hex}"
        await uow.stage("pay_batch", key, batch_id=batch_id)
        await uow.audit(
            "payment_batch.rerun", "payment_batch", batch_id, after={"job_key": key, "pending_items": pending}
        )
    return await read_batch(batch_id)


def progress_summary_zh(batch: BatchRead) -> str:
    """One line for officers: how far a batch has got (counts and amounts per item status)."""
    parts = []
    for status, label in (("paid", "已支付"), ("failed", "失败"), ("pending", "待支付")):
        items = [i for i in batch.items if i.status == status]
        parts.append(f"{label} {len(items)} 笔（{yuan(sum(i.amount_fen for i in items))}）")
    state = PAYMENT_BATCH.states.get(batch.status, batch.status)
    return f"支付批次 {batch.id}「{batch.title}」{state}：" + "，".join(parts)


async def read_batch_for(principal: Principal, batch_id: int) -> BatchRead:
    await load(principal, PaymentBatch, batch_id, columns=(PaymentBatch.scope_district,))
    return await read_batch(batch_id)


async def read_batch(batch_id: int) -> BatchRead:
    row = await PaymentBatch.select().where(PaymentBatch.id == batch_id).first()
    if row is None:
        raise not_found(BATCHES.label_zh)
    items = (
        await PaymentBatchItem.select(
            PaymentBatchItem.tranche,
            PaymentBatchItem.status,
            PaymentBatchItem.provider_reference,
            PaymentBatchItem.tranche.amount_fen.as_alias("amount_fen"),
            PaymentBatchItem.tranche.status.as_alias("tranche_status"),
        )
        .where(PaymentBatchItem.batch == batch_id)
        .order_by(PaymentBatchItem.tranche)
    )
    return BatchRead(
        id=row["id"],
        title=row["title"],
        status=row["status"],
        created_by=row["created_by"],
        approved_by=row["approved_by"],
        # Items taken out of the draft stay listed (status ``removed``) but are not paid, so they don't count.
        total_fen=sum(i["amount_fen"] for i in items if i["status"] != BatchItemStatus.removed),
        items=[
            BatchItemRead(
                tranche_id=i["tranche"],
                amount_fen=i["amount_fen"],
                status=i["status"],
                provider_reference=i["provider_reference"],
                tranche_status=i["tranche_status"],
            )
            for i in items
        ],
    )
