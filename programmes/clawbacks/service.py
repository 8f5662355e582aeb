"""追回: after an audit finding, paid money is demanded back; each refund received is a ``refund`` ledger entry.

A refund returns money to the award's budget line (``programmes.ledger``: obligated = obligations − reversals −
refunds). Amounts are checked under row locks, never after the fact: a clawback under the award's lock (never more
than ``ledger.recoverable``: paid and not already being recovered), a refund under the clawback's lock (never more
than is outstanding). The refund's ledger key ``clawback:<id>:refund:<bank reference>`` is unique, so recording the
same bank receipt twice writes one row; and a bank reference is unique among all refunds (partial unique index), so
one receipt is never credited to two clawbacks, even by concurrent requests that lock different clawbacks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, not_found
from app.money import yuan
from app.notifications.service import notify_organisations
from app.paging import Page, PageParams, fetch_page
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.awards.access import AWARDS
from programmes.clawbacks.access import CLAWBACKS
from programmes.clawbacks.schemas import ClawbackRead, RefundRead
from programmes.draws.tables import InspectionDraw
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.tables import Award, Clawback
from programmes.workflows.supervision import CLAWBACK, ClawbackStatus


async def _award_in_reach(principal: Principal, award_id: int) -> dict[str, Any]:
    return await load(
        principal,
        AWARDS.table,
        award_id,
        columns=(
            Award.id,
            Award.scope_district,
            Award.payee,
            Award.application._.organisation.as_alias("organisation"),
        ),
    )


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
) -> ClawbackRead:
    """Officer in scope demands paid money back after an audit finding. Members of the funded organisation (and of
    the payee, when a custodian received the money) are notified after commit."""
    award = await _award_in_reach(principal, award_id)
    await _checked_draw(award_id, inspection_draw_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await Award.select(Award.id).where(Award.id == award_id).lock_rows("UPDATE")
        recoverable = await ledger.recoverable(award_id)
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
        await uow.audit(
            "clawback.demand",
            "clawback",
            clawback_id,
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
    return await read(clawback_id)


async def record_refund(principal: Principal, clawback_id: int, amount_fen: int, bank_reference: str) -> ClawbackRead:
    """Officer in scope records a refund the bank received. The same bank reference again changes nothing and
    returns the current state; the refund that completes the amount settles the clawback in the same transaction."""
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            clawback = await load(principal, Clawback, clawback_id, lock=True)
            recorded = await ledger.refund_receipt(bank_reference)
            if recorded is not None:
                _refuse_reuse(recorded, clawback_id, amount_fen, bank_reference)
                return await read(clawback_id)  # a replay: already recorded
            if clawback["status"] == ClawbackStatus.withdrawn:
                raise conflict("clawback_withdrawn", "该追回已撤回，不能登记退款")
            outstanding = clawback["amount_fen"] - await ledger.refunded(clawback_id)
            if amount_fen > outstanding:
                raise conflict("refund_exceeds_clawback", f"退款金额超过待退金额 {yuan(outstanding)}")
            award = await Award.select(Award.budget_line).where(Award.id == clawback["award"]).first()
            assert award is not None
            await ledger.post(
                LedgerKind.refund,
                award_id=clawback["award"],
                budget_line_id=award["budget_line"],
                clawback_id=clawback_id,
                bank_reference=bank_reference,
                amount_fen=amount_fen,
                idempotency_key=f"clawback:{clawback_id}:refund:{bank_reference}",
                scope_district=clawback["scope_district"],
            )
            await uow.audit(
                "clawback.refund",
                "clawback",
                clawback_id,
                after={"amount_fen": amount_fen, "bank_reference": bank_reference},
            )
            if amount_fen == outstanding:
                async with unit_of_work(Actor.system()) as seedbed:  # settling is Seedbed's, not the officer's
                    await seedbed.transition(
                        Clawback, clawback_id, "settle", reason=f"退款已全额到账（{bank_reference}）"
                    )
    except UniqueViolationError as exc:
        # The clawback's lock does not serialise two clawbacks: a concurrent request crediting the same receipt to
        # another clawback got in first, and the unique index on refund bank references refused this one.
        recorded = await ledger.refund_receipt(bank_reference)
        if recorded is None:
            raise
        _refuse_reuse(recorded, clawback_id, amount_fen, bank_reference, cause=exc)
    return await read(clawback_id)


def _refuse_reuse(
    recorded: ledger.Refund,
    clawback_id: int,
    amount_fen: int,
    bank_reference: str,
    cause: BaseException | None = None,
) -> None:
    """A receipt already credited elsewhere, or here with another amount, is a 409; the same refund again is a
    replay and changes nothing."""
    if recorded.clawback_id != clawback_id:
        raise conflict("bank_reference_reused", f"银行流水 {bank_reference} 已登记在其他追回下") from cause
    if recorded.amount_fen != amount_fen:
        raise conflict(
            "bank_reference_reused", f"银行流水 {bank_reference} 已登记为 {yuan(recorded.amount_fen)}"
        ) from cause


async def withdraw(principal: Principal, clawback_id: int, reason: str) -> ClawbackRead:
    """Officer in scope withdraws a demanded clawback (e.g. a review overturned the finding) — only while nothing
    has been refunded: money received is never un-recorded."""
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, Clawback, clawback_id, columns=(Clawback.id, Clawback.scope_district), lock=True)
        if await ledger.refunded(clawback_id):
            raise conflict("clawback_has_refunds", "已登记退款的追回不能撤回")
        await uow.transition(Clawback, clawback_id, "withdraw", reason=reason)
    return await read(clawback_id)


def _read_model(row: dict[str, Any], refunds: list[ledger.Refund]) -> ClawbackRead:
    refunded = sum(r.amount_fen for r in refunds)
    return ClawbackRead(
        id=row["id"],
        award_id=row["award"],
        amount_fen=row["amount_fen"],
        refunded_fen=refunded,
        outstanding_fen=row["amount_fen"] - refunded if row["status"] == ClawbackStatus.demanded else 0,
        finding=row["finding"],
        inspection_draw_id=row["inspection_draw"],
        status=row["status"],
        status_zh=CLAWBACK.states[row["status"]],
        due_on=row["due_on"],
        created_at=row["created_at"],
        refunds=[
            RefundRead(id=r.id, amount_fen=r.amount_fen, bank_reference=r.bank_reference, created_at=r.created_at)
            for r in refunds
        ],
    )


async def read(clawback_id: int) -> ClawbackRead:
    row = await Clawback.select().where(Clawback.id == clawback_id).first()
    if row is None:
        raise not_found(CLAWBACKS.label_zh)
    return _read_model(row, (await ledger.refunds_of([clawback_id]))[clawback_id])


async def read_for(principal: Principal, clawback_id: int) -> ClawbackRead:
    row = await load(principal, Clawback, clawback_id)
    return _read_model(row, (await ledger.refunds_of([clawback_id]))[clawback_id])


async def list_for_award(principal: Principal, award_id: int, paging: PageParams) -> Page[ClawbackRead]:
    """One page of an award's clawbacks, oldest first, with all their refunds read in one query."""
    await _award_in_reach(principal, award_id)
    page = await fetch_page(Clawback, Clawback.select().order_by(Clawback.id), paging, Clawback.award == award_id)
    refunds = await ledger.refunds_of(row["id"] for row in page.items)
    return page.map([_read_model(row, refunds[row["id"]]) for row in page.items])
