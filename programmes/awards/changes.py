"""Changing an award after it was made: reduce its amount, or cancel it. Either returns the unpaid money to the
budget line through a ``reversal`` ledger entry; paid money stays paid (getting it back is a clawback)."""

from __future__ import annotations

import uuid
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.money import yuan
from app.timezone import today_shanghai
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.service import UNSIGNED
from programmes.agreements.tables import Agreement
from programmes.awards.schemas import AwardRead
from programmes.awards.service import read_award
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.tables import Award, Tranche
from programmes.workflows.agreements import AGREEMENT, AgreementStatus
from programmes.workflows.disbursement import TRANCHE, AwardStatus, TrancheStatus


async def _locked(principal: Principal, award_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The award and its tranches, row-locked for the rest of the transaction."""
    award = await load(principal, Award, award_id, lock=True)
    tranches = await Tranche.select().where(Tranche.award == award_id).order_by(Tranche.sequence).lock_rows("UPDATE")
    in_batch = [t["id"] for t in tranches if t["status"] == TrancheStatus.in_batch]
    if in_batch:
        raise DomainError(
            "award_tranche_in_batch",
            "有款项已列入支付批次：草稿批次请先移出该款项或作废批次，已审批的批次请待支付处理完毕后再变更资助",
            409,
            [FieldError("tranche_ids", "award_tranche_in_batch", "款项 " + ", ".join(map(str, in_batch)))],
        )
    return award, [dict(t) for t in tranches]


async def _reverse(award: dict[str, Any], amount: int, key: str) -> None:
    if amount > 0:
        await ledger.post(
            LedgerKind.reversal,
            award_id=award["id"],
            budget_line_id=award["budget_line"],
            amount_fen=amount,
            idempotency_key=key,
            scope_district=award["scope_district"],
        )


async def cancel_award(principal: Principal, award_id: int, reason: str) -> AwardRead:
    """Officer in scope cancels an award: unpaid tranches are cancelled and their money released (audited)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        award, tranches = await _locked(principal, award_id)
        paid = sum(t["amount_fen"] for t in tranches if t["status"] == TrancheStatus.paid)
        await uow.transition(Award, award_id, "cancel", reason=reason)
        for tranche in tranches:
            if TRANCHE.has(tranche["status"], "unpaid"):
                await uow.transition(Tranche, tranche["id"], "cancel", reason=reason)
        agreement = await Agreement.select(Agreement.id, Agreement.status).where(Agreement.award == award_id).first()
        if agreement is not None and agreement["status"] != AgreementStatus.terminated:
            await uow.transition(Agreement, agreement["id"], "terminate", reason=reason)
        await _reverse(award, award["amount_fen"] - paid, f"award:{award_id}:cancel")
        await uow.audit(
            "award.release_on_cancel",
            "award",
            award_id,
            after={"released_fen": award["amount_fen"] - paid, "paid_fen": paid},
            reason=reason,
        )
    return await read_award(award_id)


async def _amend_agreement(uow: UnitOfWork, award_id: int, old_fen: int, new_fen: int, reason: str) -> None:
    """The agreement's text records the change (变更条款), so the signed terms never disagree with the rows. An
    agreement signed but not yet countersigned goes back to the organisation to sign the amended text."""
    agreement = await Agreement.select(Agreement.id, Agreement.status, Agreement.terms).where(
        Agreement.award == award_id
    )
    if not agreement or agreement[0]["status"] == AgreementStatus.terminated:
        return
    row = agreement[0]
    line = f"{today_shanghai().isoformat()} 变更：资助金额由 {yuan(old_fen)} 调减为 {yuan(new_fen)}，原因：{reason}"
    await Agreement.update({Agreement.terms: f"{row['terms']}\n{line}"}).where(Agreement.id == row["id"])
    if AGREEMENT.has(row["status"], "awaiting_countersign"):
        await uow.transition(
            Agreement,
            row["id"],
            "return_signature",
            values=UNSIGNED,
            reason=f"资助金额已变更，请重新签署：{reason}",
        )


async def reduce_award(principal: Principal, award_id: int, new_amount_fen: int, reason: str) -> AwardRead:
    """Officer in scope lowers an active award; the unpaid tranches shrink from the last one back."""
    async with unit_of_work(Actor.of(principal)) as uow:
        award, tranches = await _locked(principal, award_id)
        if award["status"] != AwardStatus.active:
            raise conflict("award_not_active", "资助已撤销，不能再变更")
        difference = award["amount_fen"] - new_amount_fen
        if difference <= 0:
            raise DomainError("award_not_reduced", "新金额须小于当前资助金额（增加资助请另行立项）", 422)
        adjustable = [t for t in tranches if TRANCHE.has(t["status"], "unpaid")]
        if sum(t["amount_fen"] for t in adjustable) < difference:
            raise conflict("award_below_paid", "新金额低于已支付或已列入支付的金额")
        remaining = difference
        for tranche in reversed(adjustable):
            cut = min(remaining, tranche["amount_fen"])
            if cut == tranche["amount_fen"]:
                await uow.transition(Tranche, tranche["id"], "cancel", reason=reason)
            else:
                await Tranche.update({Tranche.amount_fen: tranche["amount_fen"] - cut}).where(
                    Tranche.id == tranche["id"]
                )
            remaining -= cut
            if remaining == 0:
                break
        await Award.update({Award.amount_fen: new_amount_fen}).where(Award.id == award_id)
        await _reverse(award, difference, f"award:{award_id}:reduce:{uuid.uuid4().hex}")
        await _amend_agreement(uow, award_id, award["amount_fen"], new_amount_fen, reason)
        await uow.audit(
            "award.reduce",
            "award",
            award_id,
            before={"amount_fen": award["amount_fen"]},
            after={"amount_fen": new_amount_fen, "released_fen": difference},
            reason=reason,
        )
    return await read_award(award_id)
