"""Assigning experts and scoring: officers assign, experts score what they were assigned."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.db import engine
from app.errors import DomainError, FieldError, conflict, not_found
from app.workflow.engine import Actor, transition
from programmes.applications.gate import ensure_passes
from programmes.applications.repository import lock as lock_application
from programmes.applications.repository import workflow_of
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Criterion, Round
from programmes.workflows import APPLICATION, ApplicationStatus
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.experts.conflicts import in_conflict
from scoring.reviews.blind import blind_answers
from scoring.reviews.schemas import AssignmentCreate
from scoring.tables import ReviewAssignment


async def assign(principal: Principal, data: AssignmentCreate) -> dict[str, Any]:
    """Officer in scope assigns an expert to a submitted application (moving it to ``in_review``)."""
    application = (
        await Application.select(
            Application.id, Application.status, Application.organisation, Application.scope_district
        )
        .where(Application.id == data.application_id)
        .first()
    )
    if application is None:
        raise not_found("申报")
    ensure_staff_scope(principal, application["scope_district"], "申报")
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
    actor = Actor(principal.user_id, principal.role.value)
    try:
        async with engine().transaction():
            # The application's row lock (the one the engine takes for reject, withdraw …) serialises this with
            # every status change: concurrent assigns see each other's start_review instead of a spurious 409, and
            # an application rejected meanwhile is refused here instead of getting an expert.
            locked = await lock_application(data.application_id)
            status = locked["status"]
            _check_reviewable(status)
            ensure_passes(locked, "assign")  # also for one already in review (no start_review to gate)
            if await ReviewAssignment.exists().where(
                (ReviewAssignment.application == data.application_id) & (ReviewAssignment.expert == data.expert_id)
            ):
                raise _already_assigned()
            if status == ApplicationStatus.submitted:
                workflow, _ = await workflow_of(data.application_id)
                await transition(Application, data.application_id, "start_review", actor, workflow=workflow)
            rows = await ReviewAssignment.insert(
                ReviewAssignment(
                    application=data.application_id,
                    expert=data.expert_id,
                    status=REVIEW_ASSIGNMENT.initial,
                    scope_district=application["scope_district"],
                )
            ).returning(ReviewAssignment.id)
            assignment_id = int(rows[0]["id"])
            await audit.record(
                actor_id=principal.user_id,
                actor_role=principal.role.value,
                action="review_assignment.create",
                object_type="review_assignment",
                object_id=assignment_id,
                after={"application_id": data.application_id, "expert_id": data.expert_id},
            )
    except UniqueViolationError as exc:  # review_assignment_unique: the net below the lock
        raise _already_assigned() from exc
    return {
        "id": assignment_id,
        "application_id": data.application_id,
        "expert_id": data.expert_id,
        "status": REVIEW_ASSIGNMENT.initial,
    }


def _check_reviewable(status: str) -> None:
    if not APPLICATION.has(status, "reviewable"):
        raise conflict("application_not_reviewable", "只有已提交的申报可以分配评审专家")


def _already_assigned() -> DomainError:
    return conflict("already_assigned", "该专家已分配到此申报")


async def my_assignments(principal: Principal) -> list[dict[str, Any]]:
    rows = (
        await ReviewAssignment.select(ReviewAssignment.id)
        .where(ReviewAssignment.expert == principal.user_id)
        .order_by(ReviewAssignment.id)
    )
    return [await expert_view(principal, row["id"]) for row in rows]


async def expert_view(principal: Principal, assignment_id: int) -> dict[str, Any]:
    """The assigned expert's view of the answers as submitted. Blind rounds omit the organisation and answers marked
    ``identifying`` in any form version the application or its round had (scoring.reviews.blind)."""
    row = (
        await ReviewAssignment.select(
            *ReviewAssignment.all_columns(),
            ReviewAssignment.application.title.as_alias("title"),
            # The frozen submission, never the working copy an applicant may be editing after a return.
            ReviewAssignment.application.submitted_answers.as_alias("answers"),
            ReviewAssignment.application.round.as_alias("round_id"),
            ReviewAssignment.application._.organisation._.name.as_alias("organisation_name"),
        )
        .where(ReviewAssignment.id == assignment_id)
        .first()
        .output(load_json=True)
    )
    if row is None or row["expert"] != principal.user_id:
        raise not_found("评审任务")
    round_row = await Round.select(Round.name, Round.blind).where(Round.id == row["round_id"]).first()
    assert round_row is not None
    answers = row["answers"] or {}
    if round_row["blind"]:
        # By every form version the application and its round ever had, not the round's current form only.
        answers = await blind_answers(row["application"], answers)
    criteria = await _criteria_named(row["round_id"])
    return {
        "assignment_id": row["id"],
        "status": row["status"],
        "round_id": row["round_id"],
        "round_name": round_row["name"],
        "blind": round_row["blind"],
        "application_id": row["application"],
        "title": row["title"],
        "answers": answers,
        "organisation_name": None if round_row["blind"] else row["organisation_name"],
        "criteria": criteria,
        "scores": row["scores"] or {},
        "comment": row["comment"],
        "submitted_at": row["submitted_at"],
    }


async def _criteria_named(round_id: int) -> list[dict[str, Any]]:
    rows = (
        await Criterion.select(
            Criterion.code,
            Criterion.name,
            Criterion.weight,
            Criterion.max_score,
            Criterion.allow_na,
            Criterion.comment_below,
            Criterion.anchors,
        )
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
        .output(load_json=True)
    )
    return [dict(r) for r in rows]
