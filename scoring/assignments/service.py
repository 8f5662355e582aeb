"""Who reviews what (评审分配): officers assign an expert by hand or commit the optimal solver's assignment of a
round (preview first, nothing written), and reopen or remove an assignment; after a decline or a conflict found
later, the application is refilled incrementally (every other pair stays put). The expert's own scoring of an
assignment is ``scoring.reviews``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.applications.access import APPLICATIONS
from programmes.applications.gate import ensure_passes, passes
from programmes.applications.repository import lock as lock_application
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, ApplicationStatus
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.access import ASSIGNMENTS, ROUNDS
from scoring.assignment import AssignmentResult, Mode
from scoring.assignments.problem import solve, solve_partial
from scoring.assignments.schemas import (
    AssignmentCommitRead,
    AssignmentCreate,
    AssignmentPlanRead,
    AssignmentRead,
    AssignmentStepRead,
    PairRead,
    RoundAssignmentRead,
    UnstaffedRead,
)
from scoring.experts.conflicts import in_conflict
from scoring.tables import ReviewAssignment

REVIEW_DAYS = 14


def review_due(closes_at: datetime | None) -> datetime:
    """An assignment's due date: REVIEW_DAYS after the round closes (or after now, when it has already closed)."""
    return max(now_utc(), closes_at or now_utc()) + timedelta(days=REVIEW_DAYS)


async def assign(principal: Principal, data: AssignmentCreate) -> AssignmentRead:
    """Officer in scope assigns an expert to a submitted application (moving it to ``in_review``)."""
    columns = (Application.id, Application.status, Application.scope_district, Application.round.closes_at)
    application = await load(principal, APPLICATIONS.table, data.application_id, columns=columns)
    expert = await Account.select(Account.role).where(Account.user == data.expert_id).first()
    if expert is None or expert["role"] != Role.expert.value:
        raise DomainError(
            "not_an_expert",
            "所选用户不是评审专家",
            422,
            [FieldError("expert_id", "not_an_expert", "所选用户不是评审专家")],
        )
    if await in_conflict(data.application_id, data.expert_id):
        raise conflict("conflict_of_interest", "该专家与申报单位（或其代管机构）存在利益冲突，不能评审")
    _check_reviewable(application["status"])  # fast refusal; decided under the row lock below
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            # The application's row lock (the one the engine takes for reject, withdraw …) serialises this with
            # every status change: concurrent assigns see each other's start_review instead of a spurious 409, and
            # an application rejected meanwhile is refused here instead of getting an expert.
            locked = await lock_application(data.application_id)
            _check_reviewable(locked["status"])
            ensure_passes(locked, "assign")  # also for one already in review (no start_review to gate)
            if await ReviewAssignment.exists().where(
                (ReviewAssignment.application == data.application_id) & (ReviewAssignment.expert == data.expert_id)
            ):
                raise _already_assigned()
            if locked["status"] == ApplicationStatus.submitted:
                await uow.transition(Application, data.application_id, "start_review")
            rows = await ReviewAssignment.insert(
                ReviewAssignment(
                    application=data.application_id,
                    expert=data.expert_id,
                    status=REVIEW_ASSIGNMENT.initial,
                    scope_district=application["scope_district"],
                    # The same due date as the solver's pairs: a hand-made assignment shows as overdue and is
                    # reminded like the others.
                    due_at=review_due(application["round.closes_at"]),
                )
            ).returning(ReviewAssignment.id)
            assignment_id = int(rows[0]["id"])
            await uow.audit(
                "review_assignment.create",
                "review_assignment",
                assignment_id,
                after={"application_id": data.application_id, "expert_id": data.expert_id},
            )
    except UniqueViolationError as exc:  # review_assignment_unique: the net below the lock
        raise _already_assigned() from exc
    return AssignmentRead(
        id=assignment_id,
        application_id=data.application_id,
        expert_id=data.expert_id,
        status=REVIEW_ASSIGNMENT.initial,
    )


def _check_reviewable(status: str) -> None:
    if not APPLICATION.has(status, "reviewable"):
        raise conflict("application_not_reviewable", "只有已提交的申报可以分配评审专家")


def _already_assigned() -> DomainError:
    return conflict("already_assigned", "该专家已分配到此申报")


def _plan(result: AssignmentResult) -> AssignmentPlanRead:
    return AssignmentPlanRead(
        pairs=[
            PairRead(
                application_id=p.application_id,
                expert_id=p.expert_id,
                affinity=p.affinity.total,
                shared_tags=list(p.affinity.shared_tags),
                domain_match=p.affinity.domain_match,
                track_match=p.affinity.track_match,
            )
            for p in result.pairs
        ],
        total_affinity=result.total_affinity,
        min_application_affinity=result.min_application_affinity,
        mode=result.mode,
        solver=result.solver,
        optimal=result.optimal,
    )


async def _round(principal: Principal, round_id: int) -> dict[str, Any]:
    return await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district, Round.closes_at))


async def preview(principal: Principal, round_id: int, mode: Mode) -> AssignmentPlanRead:
    """Officer in scope sees the optimal assignment (and why each pair) without writing anything."""
    await _round(principal, round_id)
    return _plan(await solve(round_id, mode))


async def commit(
    principal: Principal,
    round_id: int,
    mode: Mode,
    partial: bool = False,
    chosen: set[tuple[int, int]] | None = None,
) -> AssignmentCommitRead:
    """Officer in scope writes the solver's new pairs; applications move to review.

    Infeasible input is refused (409 ``assignment_infeasible``, the shortfalls in errors[]) unless the officer asks
    for a partial assignment (``partial``): then every application that can be staffed is, the rest are listed in
    ``unstaffed`` with the reason, and the choice is audited (``round.assignment_partial``).

    ``chosen`` (the admin's ticked rows of the preview, as (application, expert) pairs): only the solver's pairs
    among them are written, with the same due date, reasons and audit; the rest of the round stays open for a later
    commit, which keeps the written pairs."""
    closes_at = (await _round(principal, round_id))["closes_at"]
    if not partial:
        written = await _solve_and_write(round_id, closes_at, mode, Actor.of(principal), chosen=chosen)
        return AssignmentCommitRead(**_plan(written).model_dump(), partial=False, unstaffed=[])
    async with unit_of_work(Actor.of(principal)) as uow:
        await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
        outcome = await solve_partial(round_id, mode)
        solved = _only(outcome.result, chosen) if outcome.result is not None else None
        done = await _write(uow, solved, closes_at) if solved is not None else None
        unstaffed = [
            UnstaffedRead(
                application_id=u.application_id, code=u.code, needed=u.needed, eligible=u.eligible, message=u.message
            )
            for u in outcome.unstaffed
        ]
        await uow.audit(
            "round.assignment_partial",
            "round",
            round_id,
            after={"pairs": len(done.pairs) if done else 0, "unstaffed": [u.model_dump() for u in unstaffed]},
            reason="部分分配：无法配齐评审专家的申报暂不分配",
        )
    plan = _plan(done) if done is not None else _nothing(mode)
    return AssignmentCommitRead(**plan.model_dump(), partial=True, unstaffed=unstaffed)


def _nothing(mode: Mode) -> AssignmentPlanRead:
    return AssignmentPlanRead(
        pairs=[], total_affinity=0, min_application_affinity=0, mode=mode, solver="none", optimal=True
    )


def _only(result: AssignmentResult, chosen: set[tuple[int, int]] | None) -> AssignmentResult:
    if chosen is None:
        return result
    return replace(result, pairs=tuple(p for p in result.pairs if (p.application_id, p.expert_id) in chosen))


async def _solve_and_write(
    round_id: int,
    closes_at: datetime,
    mode: Mode,
    actor: Actor,
    only: list[int] | None = None,
    chosen: set[tuple[int, int]] | None = None,
) -> AssignmentResult:
    """Solve and write in one transaction, holding the round's row lock: two commits (or a commit and a
    reassignment) of one round run one after the other, so the second solves on the first one's pairs instead of
    writing the same pairs again. Lock order everywhere: round, then its applications by id."""
    async with unit_of_work(actor) as uow:
        await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
        return await _write(uow, _only(await solve(round_id, mode, only), chosen), closes_at)


async def _write(uow: UnitOfWork, result: AssignmentResult, closes_at: datetime) -> AssignmentResult:
    """Write the pairs whose application is still reviewable, under the applications' row locks (taken in id order,
    so concurrent writers never deadlock). A pair for an application rejected or withdrawn since it was solved, or
    assigned by hand meanwhile, is dropped; the result returned lists only what was written. Runs in the caller's
    unit of work."""
    due = review_due(closes_at)
    ids = sorted({p.application_id for p in result.pairs})
    applications = {
        a["id"]: a
        for a in await Application.select(
            Application.id, Application.status, Application.scope_district, Application.eligibility_outcome
        )
        .where(Application.id.is_in(ids or [0]))
        .order_by(Application.id)
        .lock_rows("UPDATE")
    }
    # A manual assignment (which takes only the application's lock) may have added a pair since the solve.
    existing = {
        (r["application"], r["expert"])
        for r in await ReviewAssignment.select(ReviewAssignment.application, ReviewAssignment.expert).where(
            ReviewAssignment.application.is_in(ids or [0])
        )
    }
    written = []
    for pair in result.pairs:
        application = applications[pair.application_id]
        if (
            not APPLICATION.has(application["status"], "reviewable")
            or (pair.application_id, pair.expert_id) in existing
        ):
            continue
        if not passes(application):  # re-screened ineligible since the solve: the gate, under the row lock
            continue
        if application["status"] == ApplicationStatus.submitted:
            await uow.transition(Application, pair.application_id, "start_review")
            # The application's next pair finds it already in review.
            application["status"] = ApplicationStatus.in_review
        rows = await ReviewAssignment.insert(
            ReviewAssignment(
                application=pair.application_id,
                expert=pair.expert_id,
                status=REVIEW_ASSIGNMENT.initial,
                due_at=due,
                reason={
                    "affinity": pair.affinity.total,
                    "shared_tags": list(pair.affinity.shared_tags),
                    "domain_match": pair.affinity.domain_match,
                    "track_match": pair.affinity.track_match,
                    "solver": result.solver,
                },
                scope_district=application["scope_district"],
            )
        ).returning(ReviewAssignment.id)
        await uow.audit(
            "review_assignment.create",
            "review_assignment",
            rows[0]["id"],
            after={"application_id": pair.application_id, "expert_id": pair.expert_id, "by": "solver"},
        )
        written.append(pair)
    return replace(result, pairs=tuple(written)) if len(written) != len(result.pairs) else result


async def reassign(application_id: int) -> int:
    """After a decline or declared conflict: fill the application back up to k, keeping every other pair."""
    round_row = (
        await Application.select(Application.round, Application.round._.closes_at.as_alias("closes_at"))
        .where(Application.id == application_id)
        .first()
    )
    if round_row is None:
        raise not_found("申报")
    try:
        result = await _solve_and_write(
            round_row["round"], round_row["closes_at"], "total", Actor.system(), only=[application_id]
        )
    except DomainError:
        return 0  # nobody left who may review it: the officer sees the gap in the assignment preview
    return len(result.pairs)


async def officer_step(principal: Principal, assignment_id: int, action: str, reason: str) -> AssignmentStepRead:
    """Officer in scope reopens a submitted review (the expert may change it) or removes an open assignment."""
    row = await load(
        principal,
        ASSIGNMENTS.table,
        assignment_id,
        columns=(ReviewAssignment.scope_district, ReviewAssignment.application),
    )
    if len(reason.strip()) < 2:
        raise DomainError("reason_required", "此操作须填写原因", 422)
    async with unit_of_work(Actor.of(principal)) as uow:
        result = await uow.transition(ReviewAssignment, assignment_id, action, reason=reason)
        await uow.audit(f"review_assignment.{action}.note", "application", row["application"], reason=reason)
    return AssignmentStepRead(assignment_id=assignment_id, status=result.after)


async def round_assignments(principal: Principal, round_id: int, paging: PageParams) -> Page[RoundAssignmentRead]:
    """Officer in scope: the round's assignments by application, then expert (two queries whatever the page)."""
    await _round(principal, round_id)
    query = (
        ReviewAssignment.select(
            ReviewAssignment.id,
            ReviewAssignment.application,
            ReviewAssignment.expert,
            ReviewAssignment.expert._.username.as_alias("expert_username"),
            ReviewAssignment.status,
            ReviewAssignment.due_at,
            ReviewAssignment.submitted_at,
            ReviewAssignment.reason,
        )
        .order_by(ReviewAssignment.application)
        .order_by(ReviewAssignment.expert)
        .order_by(ReviewAssignment.id)
        .output(load_json=True)
    )
    page = await fetch_page(ReviewAssignment, query, paging, ReviewAssignment.application._.round == round_id)
    return page.map(
        [
            RoundAssignmentRead(
                id=r["id"],
                application_id=r["application"],
                expert_id=r["expert"],
                expert_username=r["expert_username"],
                status=r["status"],
                due_at=r["due_at"],
                submitted_at=r["submitted_at"],
                reason=r["reason"] or {},
            )
            for r in page.items
        ]
    )
