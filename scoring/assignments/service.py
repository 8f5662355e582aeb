"""Assigning experts to a round's applications with the optimal solver (scoring.assignment): preview, commit,
and incremental reassignment when an expert declines or declares a conflict (the other pairs stay put)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from app import audit
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError, FieldError
from app.timezone import now_utc
from app.workflow.engine import Actor, transition
from programmes.applications.gate import passes, passing
from programmes.applications.repository import workflow_of
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, ApplicationStatus
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.assignment import (
    ApplicationProfile,
    AssignmentInfeasible,
    AssignmentResult,
    ExpertProfile,
    Mode,
    Shortfall,
    assign_reviewers,
)
from scoring.assignment_partial import PartialResult, assign_what_can_be_staffed
from scoring.experts.conflicts import expert_affiliation_labels, forbidden_pairs
from scoring.tables import ExpertProfile as ExpertProfileRow
from scoring.tables import ReviewAssignment

REVIEW_DAYS = 14


async def round_in_scope(principal: Principal, round_id: int) -> dict[str, Any]:
    row = await Round.select().where(Round.id == round_id).first()
    if row is None:
        raise DomainError("not_found", "轮次不存在或无权访问", 404)
    ensure_staff_scope(principal, row["scope_district"], "轮次")
    return dict(row)


async def _problem(round_id: int, only: list[int] | None = None) -> dict[str, Any]:
    query = Application.select(
        Application.id, Application.submitted_answers, Application.track._.name.as_alias("track_name")
    ).where(
        (Application.round == round_id)
        & Application.status.is_in(APPLICATION.states_with("reviewable"))
        # The eligibility gate: only screened-eligible or officer-overridden applications get experts.
        & passing()
    )
    if only is not None:
        query = query.where(Application.id.is_in(only or [0]))
    applications = await query.order_by(Application.id).output(load_json=True)
    today = now_utc().date()
    experts = await ExpertProfileRow.select().output(load_json=True)
    experts = [
        e
        for e in experts
        if (e["available_from"] is None or e["available_from"] <= today)
        and (e["available_until"] is None or e["available_until"] >= today)
    ]
    affiliations = await expert_affiliation_labels(e["expert"] for e in experts)
    app_ids = [a["id"] for a in applications]
    existing = await ReviewAssignment.select(
        ReviewAssignment.application, ReviewAssignment.expert, ReviewAssignment.status
    ).where(ReviewAssignment.application._.round == round_id)
    live = [r for r in existing if REVIEW_ASSIGNMENT.has(r["status"], "live")]
    # A declined or removed pair keeps its row (one per pair, unique in the database): never propose it again.
    ended = {(r["application"], r["expert"]) for r in existing if not REVIEW_ASSIGNMENT.has(r["status"], "live")}
    return {
        "applications": [
            ApplicationProfile(
                id=a["id"],
                tags=frozenset(t for t in (a["submitted_answers"] or {}).get("tags", []) if isinstance(t, str)),
                domain=a["track_name"],
                track=a["track_name"],
            )
            for a in applications
        ],
        "experts": [
            ExpertProfile(
                id=e["expert"],
                max_load=e["max_load_per_round"],
                tags=frozenset(e["tags"] or []),
                domains=frozenset(e["domains"] or []),
                tracks=frozenset(e["domains"] or []),
                affiliations=affiliations.get(e["expert"], frozenset()),
            )
            for e in experts
        ],
        "forbidden": await forbidden_pairs(app_ids) | ended,
        "locked": {(r["application"], r["expert"]) for r in live},
    }


async def solve(round_id: int, mode: Mode, only: list[int] | None = None) -> AssignmentResult:
    round_row = await Round.select(Round.reviews_per_application).where(Round.id == round_id).first()
    assert round_row is not None
    problem = await _problem(round_id, only)
    try:
        return assign_reviewers(
            problem["applications"],
            problem["experts"],
            round_row["reviews_per_application"],
            forbidden=problem["forbidden"],
            locked=problem["locked"],
            mode=mode,
        )
    except AssignmentInfeasible as infeasible:
        raise DomainError(
            "assignment_infeasible",
            f"无法为每个申报分配足够的评审专家：{infeasible}",
            409,
            shortfall_errors(infeasible.shortfalls),
        ) from infeasible


def shortfall_errors(shortfalls: tuple[Shortfall, ...]) -> list[FieldError]:
    """errors[]: one entry per application a shortfall names (application id, needed, eligible, reason code), one
    per shortfall that names none (capacity, experts' minimum loads)."""
    out = []
    for s in shortfalls:
        facts = {"needed": s.needed, "eligible": s.eligible, "expert_ids": list(s.expert_ids)}
        for application_id in s.application_ids or (None,):
            field = "round" if application_id is None else f"applications.{application_id}"
            out.append(FieldError(field, s.code, s.message, {"application_id": application_id, **facts}))
    return out


def _as_dict(result: AssignmentResult) -> dict[str, Any]:
    return {
        "pairs": [
            {
                "application_id": p.application_id,
                "expert_id": p.expert_id,
                "affinity": p.affinity.total,
                "shared_tags": list(p.affinity.shared_tags),
                "domain_match": p.affinity.domain_match,
                "track_match": p.affinity.track_match,
            }
            for p in result.pairs
        ],
        "total_affinity": result.total_affinity,
        "min_application_affinity": result.min_application_affinity,
        "mode": result.mode,
        "solver": result.solver,
        "optimal": result.optimal,
    }


async def preview(principal: Principal, round_id: int, mode: Mode) -> dict[str, Any]:
    """Officer in scope sees the optimal assignment (and why each pair) without writing anything."""
    await round_in_scope(principal, round_id)
    return _as_dict(await solve(round_id, mode))


async def commit(principal: Principal, round_id: int, mode: Mode, partial: bool = False) -> dict[str, Any]:
    """Officer in scope writes the solver's new pairs; applications move to review.

    Infeasible input is refused (409 ``assignment_infeasible``, the shortfalls in errors[]) unless the officer asks
    for a partial assignment (``partial``): then every application that can be staffed is, the rest are listed in
    ``unstaffed`` with the reason, and the choice is audited (``round.assignment_partial``)."""
    round_row = await round_in_scope(principal, round_id)
    actor = Actor(principal.user_id, principal.role.value)
    if not partial:
        return {**_as_dict(await _solve_and_write(round_row, mode, actor)), "partial": False, "unstaffed": []}
    async with engine().transaction():
        await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
        outcome = await solve_partial(round_id, mode)
        written = await _write(outcome.result, actor, round_row) if outcome.result is not None else None
        unstaffed = [
            {
                "application_id": u.application_id,
                "code": u.code,
                "needed": u.needed,
                "eligible": u.eligible,
                "message": u.message,
            }
            for u in outcome.unstaffed
        ]
        await audit.record(
            actor_id=actor.user_id,
            actor_role=actor.role,
            action="round.assignment_partial",
            object_type="round",
            object_id=round_id,
            after={"pairs": len(written.pairs) if written else 0, "unstaffed": unstaffed},
            reason="部分分配：无法配齐评审专家的申报暂不分配",
        )
    body = _as_dict(written) if written is not None else {**EMPTY, "mode": mode}
    return {**body, "partial": True, "unstaffed": unstaffed}


EMPTY: dict[str, Any] = {
    "pairs": [],
    "total_affinity": 0,
    "min_application_affinity": 0,
    "solver": "none",
    "optimal": True,
}


async def solve_partial(round_id: int, mode: Mode) -> PartialResult:
    round_row = await Round.select(Round.reviews_per_application).where(Round.id == round_id).first()
    assert round_row is not None
    problem = await _problem(round_id)
    return assign_what_can_be_staffed(
        problem["applications"],
        problem["experts"],
        round_row["reviews_per_application"],
        forbidden=problem["forbidden"],
        locked=problem["locked"],
        mode=mode,
    )


async def _solve_and_write(
    round_row: dict[str, Any], mode: Mode, actor: Actor, only: list[int] | None = None
) -> AssignmentResult:
    """Solve and write in one transaction, holding the round's row lock: two commits (or a commit and a
    reassignment) of one round run one after the other, so the second solves on the first one's pairs instead of
    writing the same pairs again. Lock order everywhere: round, then its applications by id."""
    async with engine().transaction():
        await Round.select(Round.id).where(Round.id == round_row["id"]).lock_rows("UPDATE")
        written = await _write(await solve(round_row["id"], mode, only), actor, round_row)
    return written


async def _write(result: AssignmentResult, actor: Actor, round_row: dict[str, Any]) -> AssignmentResult:
    """Write the pairs whose application is still reviewable, under the applications' row locks (taken in id order,
    so concurrent writers never deadlock). A pair for an application rejected or withdrawn since it was solved, or
    assigned by hand meanwhile, is dropped; the result returned lists only what was written. Runs in the caller's
    transaction."""
    due = max(now_utc(), round_row["closes_at"]) + timedelta(days=REVIEW_DAYS)
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
            await transition(Application, pair.application_id, "start_review", actor)
            application["status"] = "in_review"  # the application's next pair finds it already in review
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
        await audit.record(
            actor_id=actor.user_id,
            actor_role=actor.role,
            action="review_assignment.create",
            object_type="review_assignment",
            object_id=rows[0]["id"],
            after={"application_id": pair.application_id, "expert_id": pair.expert_id, "by": "solver"},
        )
        written.append(pair)
    return replace(result, pairs=tuple(written)) if len(written) != len(result.pairs) else result


async def reassign(application_id: int) -> int:
    """After a decline or declared conflict: fill the application back up to k, keeping every other pair."""
    _, application = await workflow_of(application_id)
    round_row = await Round.select().where(Round.id == application["round"]).first()
    assert round_row is not None
    try:
        result = await _solve_and_write(dict(round_row), "total", Actor.system(), only=[application_id])
    except DomainError:
        return 0  # nobody left who may review it: the officer sees the gap in the assignment preview
    return len(result.pairs)
