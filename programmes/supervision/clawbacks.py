"""追回: after an audit finding, paid money is demanded back; each refund received is a ``refund`` ledger entry.

A refund returns money to the award's budget line (obligated = obligations − reversals − refunds). Amounts are
checked under row locks, never after the fact: a clawback under the award's lock (never more than was paid and is
not already being recovered), a refund under the clawback's lock (never more than is outstanding). The refund's
ledger key ``clawback:<id>:refund:<bank reference>`` is unique, so recording the same bank receipt twice writes
one row; and a bank reference is unique among all refunds (partial unique index), so one receipt is never credited
to two clawbacks, even by concurrent requests that lock different clawbacks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app import audit, outbox
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError, FieldError, conflict, not_found
from app.money import yuan
from app.notifications.service import notify_organisations
from app.workflow.engine import Actor, transition
from programmes.draws.tables import InspectionDraw
from programmes.scope import ensure_staff_scope
from programmes.tables import Award, Clawback, LedgerEntry
from programmes.workflows.supervision import CLAWBACK, ClawbackStatus

WHAT = "追回"


async def _sum(where: str, *args: Any) -> int:
    # ``where`` is one of the fixed conditions below; values travel as query parameters.
    rows = await LedgerEntry.raw(f"SELECT COALESCE(SUM(amount_fen), 0) AS total FROM ledger_entry WHERE {where}", *args)  # noqa: S608
    return int(rows[0]["total"])


async def _refunded(clawback_id: int) -> int:
    return await _sum("kind = 'refund' AND clawback = {}", clawback_id)


async def recoverable_fen(award_id: int) -> int:
    """What may still be demanded back: paid, minus what live clawbacks already claim (settled ones were refunded
    in full; demanded ones count at their full amount, refunded or not). Withdrawn clawbacks claim nothing."""
    disbursed = await _sum("kind = 'disbursement' AND award = {}", award_id)
    claimed = await Clawback.raw(
        "SELECT COALESCE(SUM(amount_fen), 0) AS total FROM clawback WHERE award = {} AND status <> 'withdrawn'",
        award_id,
    )
    return disbursed - int(claimed[0]["total"])


async def _award_in_scope(principal: Principal, award_id: int) -> dict[str, Any]:
    row = (
        await Award.select(
            Award.id, Award.scope_district, Award.payee, Award.application._.organisation.as_alias("organisation")
        )
        .where(Award.id == award_id)
        .first()
    )
    if row is None:
        raise not_found("资助")
    ensure_staff_scope(principal, row["scope_district"], "资助")
    return dict(row)


async def _checked_draw(award_id: int, draw_id: int | None) -> None:
    if draw_id is None:
        return
    draw = (
        await InspectionDraw.select(InspectionDraw.selections)
        .where(InspectionDraw.id == draw_id)
        .output(load_json=True)
        .first()
    )
    if draw is None or award_id not in {s["award_id"] for s in draw["selections"]}:
        message = "该抽查不存在或未抽中此资助项目"
        raise DomainError(
            "clawback_draw_mismatch",
            message,
            422,
            [FieldError("inspection_draw_id", "clawback_draw_mismatch", message)],
        )


async def demand(
    principal: Principal,
    award_id: int,
    amount_fen: int,
    finding: str,
    inspection_draw_id: int | None = None,
    due_on: date | None = None,
) -> dict[str, Any]:
    """Officer in scope demands paid money back after an audit finding. Members of the funded organisation (and of
    the payee, when a custodian received the money) are notified."""
    award = await _award_in_scope(principal, award_id)
    await _checked_draw(award_id, inspection_draw_id)
    async with engine().transaction():
        await Award.select(Award.id).where(Award.id == award_id).lock_rows("UPDATE")
        recoverable = await recoverable_fen(award_id)
        if amount_fen > recoverable:
            raise conflict(
                "clawback_exceeds_paid", f"追回金额超过可追回金额：已拨付且未在追回中的金额为 {yuan(recoverable)}"
            )
        rows = await Clawback.insert(
            Clawback(
                award=award_id,
                amount_fen=amount_fen,
                finding=finding,
                inspection_draw=inspection_draw_id,
                status=CLAWBACK.initial,
                demanded_by=principal.user_id,
                due_on=due_on,
                scope_district=award["scope_district"],
            )
        ).returning(Clawback.id)
        clawback_id = int(rows[0]["id"])
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="clawback.demand",
            object_type="clawback",
            object_id=clawback_id,
            after={"award_id": award_id, "amount_fen": amount_fen, "inspection_draw_id": inspection_draw_id},
            reason=finding,
        )
        due = f"，请于 {due_on.isoformat()} 前" if due_on else "，请尽快"
        await notify_organisations(
            {award["organisation"], award["payee"]},
            "clawback",
            "资金追回通知",
            f"经审计发现：{finding}。需退回资助款 {yuan(amount_fen)}{due}汇至主管部门指定账户。",
            f"clawback:{clawback_id}:demanded",
        )
    await outbox.flush()
    return await read(clawback_id)


async def _clawback_in_scope(principal: Principal, clawback_id: int) -> dict[str, Any]:
    row = await Clawback.select().where(Clawback.id == clawback_id).first()
    if row is None:
        raise not_found(WHAT)
    ensure_staff_scope(principal, row["scope_district"], WHAT)
    return dict(row)


async def record_refund(principal: Principal, clawback_id: int, amount_fen: int, bank_reference: str) -> dict[str, Any]:
    """Officer in scope records a refund the bank received. The same bank reference again changes nothing and
    returns the current state; the refund that completes the amount settles the clawback in the same transaction."""
    await _clawback_in_scope(principal, clawback_id)
    key = f"clawback:{clawback_id}:refund:{bank_reference}"
    try:
        async with engine().transaction():
            locked = await Clawback.select().where(Clawback.id == clawback_id).lock_rows("UPDATE")
            clawback = locked[0]
            recorded = await _recorded_receipt(bank_reference)
            if recorded is not None:
                _refuse_reuse(recorded, clawback_id, amount_fen, bank_reference)
                return await read(clawback_id)  # a replay: already recorded
            if clawback["status"] == ClawbackStatus.withdrawn:
                raise conflict("clawback_withdrawn", "该追回已撤回，不能登记退款")
            refunded = await _refunded(clawback_id)
            outstanding = clawback["amount_fen"] - refunded
            if amount_fen > outstanding:
                raise conflict("refund_exceeds_clawback", f"退款金额超过待退金额 {yuan(outstanding)}")
            award = await Award.select(Award.budget_line).where(Award.id == clawback["award"]).first()
            assert award is not None
            await LedgerEntry.insert(
                LedgerEntry(
                    kind="refund",
                    award=clawback["award"],
                    budget_line=award["budget_line"],
                    clawback=clawback_id,
                    bank_reference=bank_reference,
                    amount_fen=amount_fen,
                    idempotency_key=key,
                    scope_district=clawback["scope_district"],
                )
            )
            await audit.record(
                actor_id=principal.user_id,
                actor_role=principal.role.value,
                action="clawback.refund",
                object_type="clawback",
                object_id=clawback_id,
                after={"amount_fen": amount_fen, "bank_reference": bank_reference},
            )
            if amount_fen == outstanding:
                await transition(
                    Clawback,
                    clawback_id,
                    "settle",
                    Actor.system(),
                    reason=f"退款已全额到账（{bank_reference}）",
                )
    except UniqueViolationError as exc:
        # The clawback's lock does not serialise two clawbacks: a concurrent request crediting the same receipt to
        # another clawback got in first, and the unique index on refund bank references refused this one.
        recorded = await _recorded_receipt(bank_reference)
        if recorded is None:
            raise
        _refuse_reuse(recorded, clawback_id, amount_fen, bank_reference, cause=exc)
    return await read(clawback_id)


async def _recorded_receipt(bank_reference: str) -> dict[str, Any] | None:
    """The refund already recorded for this bank receipt, if any (at most one: unique index)."""
    return await (
        LedgerEntry.select(LedgerEntry.clawback, LedgerEntry.amount_fen)
        .where((LedgerEntry.kind == "refund") & (LedgerEntry.bank_reference == bank_reference))
        .first()
    )


def _refuse_reuse(
    recorded: dict[str, Any],
    clawback_id: int,
    amount_fen: int,
    bank_reference: str,
    cause: BaseException | None = None,
) -> None:
    """A receipt already credited elsewhere, or here with another amount, is a 409; the same refund again is a
    replay and changes nothing."""
    if recorded["clawback"] != clawback_id:
        raise conflict("bank_reference_reused", f"银行流水 {bank_reference} 已登记在其他追回下") from cause
    if recorded["amount_fen"] != amount_fen:
        raise conflict(
            "bank_reference_reused", f"银行流水 {bank_reference} 已登记为 {yuan(recorded['amount_fen'])}"
        ) from cause


async def withdraw(principal: Principal, clawback_id: int, reason: str) -> dict[str, Any]:
    """Officer in scope withdraws a demanded clawback (e.g. a review overturned the finding) — only while nothing
    has been refunded: money received is never un-recorded."""
    await _clawback_in_scope(principal, clawback_id)
    async with engine().transaction():
        await Clawback.select(Clawback.id).where(Clawback.id == clawback_id).lock_rows("UPDATE")
        if await _refunded(clawback_id):
            raise conflict("clawback_has_refunds", "已登记退款的追回不能撤回")
        await transition(
            Clawback, clawback_id, "withdraw", Actor(principal.user_id, principal.role.value), reason=reason
        )
    return await read(clawback_id)


async def read(clawback_id: int) -> dict[str, Any]:
    row = await Clawback.select().where(Clawback.id == clawback_id).first()
    if row is None:
        raise not_found(WHAT)
    refunds = (
        await LedgerEntry.select(
            LedgerEntry.id, LedgerEntry.amount_fen, LedgerEntry.bank_reference, LedgerEntry.created_at
        )
        .where((LedgerEntry.kind == "refund") & (LedgerEntry.clawback == clawback_id))
        .order_by(LedgerEntry.id)
    )
    refunded = sum(r["amount_fen"] for r in refunds)
    return {
        "id": row["id"],
        "award_id": row["award"],
        "amount_fen": row["amount_fen"],
        "refunded_fen": refunded,
        "outstanding_fen": row["amount_fen"] - refunded if row["status"] == ClawbackStatus.demanded else 0,
        "finding": row["finding"],
        "inspection_draw_id": row["inspection_draw"],
        "status": row["status"],
        "status_zh": CLAWBACK.states[row["status"]],
        "due_on": row["due_on"],
        "created_at": row["created_at"],
        "refunds": refunds,
    }


async def read_for(principal: Principal, clawback_id: int) -> dict[str, Any]:
    await _clawback_in_scope(principal, clawback_id)
    return await read(clawback_id)


async def list_for_award(principal: Principal, award_id: int) -> list[dict[str, Any]]:
    await _award_in_scope(principal, award_id)
    rows = await Clawback.select(Clawback.id).where(Clawback.award == award_id).order_by(Clawback.id)
    return [await read(r["id"]) for r in rows]
