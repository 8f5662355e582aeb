"""What experts do with an assignment — save a draft, submit, decline with a declared conflict — and what officers
do to one — reopen a submitted review, remove an assignment. Every status change goes through the engine."""

from __future__ import annotations

import json
from typing import Any

from app import audit
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError, FieldError, conflict, not_found
from app.timezone import now_utc
from app.workflow.engine import Actor, transition
from programmes.scope import ensure_staff_scope
from programmes.tables import Criterion
from programmes.workflows import RoundStatus
from programmes.workflows.publication import ObjectionStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.aggregation import validate_scores
from scoring.assignments.service import reassign
from scoring.experts.schemas import ConflictCreate
from scoring.experts.service import record_conflict
from scoring.ranking import rubric
from scoring.reviews.schemas import ReviewDraft
from scoring.reviews.service import expert_view
from scoring.tables import Objection, ReviewAssignment


async def _own(principal: Principal, assignment_id: int) -> dict[str, Any]:
    row = (
        await ReviewAssignment.select(
            ReviewAssignment.id,
            ReviewAssignment.expert,
            ReviewAssignment.status,
            ReviewAssignment.application,
            ReviewAssignment.application._.organisation.as_alias("organisation_id"),
            ReviewAssignment.application._.round.as_alias("round_id"),
            ReviewAssignment.application._.round._.status.as_alias("round_status"),
        )
        .where(ReviewAssignment.id == assignment_id)
        .first()
    )
    if row is None or row["expert"] != principal.user_id:
        raise not_found("评审任务")
    return dict(row)


def _score_errors(problems: dict[str, str]) -> DomainError:
    return DomainError(
        "scores_invalid",
        "评分不完整或超出范围",
        422,
        [FieldError(f"scores.{code}", "score_invalid", message) for code, message in problems.items()],
    )


async def save_draft(principal: Principal, assignment_id: int, data: ReviewDraft) -> dict[str, Any]:
    """The assigned expert saves partial scores (N/A as null) and a comment; nothing is final yet."""
    row = await _own(principal, assignment_id)
    _check_editable(row["status"])  # fast refusal; re-checked under the row lock below
    known = {c.code for c in await rubric(row["round_id"])}
    unknown = {code: "评分标准中没有此项" for code in data.scores if code not in known}
    if unknown:
        raise _score_errors(unknown)
    async with engine().transaction():
        # Under the row lock submit's transition takes: a draft save that lost the race to a submit changes
        # nothing, so the submitted scores are the scores the ranking reads.
        locked = (
            await ReviewAssignment.select(ReviewAssignment.status)
            .where(ReviewAssignment.id == assignment_id)
            .lock_rows("UPDATE")
        )
        _check_editable(locked[0]["status"])
        await ReviewAssignment.update(
            {ReviewAssignment.scores: json.dumps(data.scores), ReviewAssignment.comment: data.comment}
        ).where(ReviewAssignment.id == assignment_id)
    return await expert_view(principal, assignment_id)


def _check_editable(status: str) -> None:
    if status != ReviewAssignmentStatus.assigned:
        raise conflict("review_not_editable", "评分已提交，如需修改请联系项目官员退回")


async def under_rereview(application_id: int) -> bool:
    """An upheld 公示 objection reopened this application's review on its closed round (scoring.publication)."""
    return bool(
        await Objection.exists().where(
            (Objection.application == application_id) & (Objection.status == ObjectionStatus.upheld)
        )
    )


async def submit(principal: Principal, assignment_id: int, data: ReviewDraft) -> dict[str, Any]:
    """Submit: every criterion scored (N/A only where allowed), in range, and a comment where a score falls below
    the criterion's threshold. The round must still be open for review — or the application under re-review after an
    upheld 公示 objection (only that application, on its closed round)."""
    row = await _own(principal, assignment_id)
    if row["round_status"] != RoundStatus.open and not await under_rereview(row["application"]):
        raise conflict("round_closed", "轮次已关闭，不能再提交评分")
    problems = validate_scores(await rubric(row["round_id"]), data.scores)
    if problems:
        raise _score_errors(problems)
    thresholds = await Criterion.select(Criterion.code, Criterion.name, Criterion.comment_below).where(
        (Criterion.round == row["round_id"]) & Criterion.comment_below.is_not_null()
    )
    low = [t["name"] for t in thresholds if (v := data.scores.get(t["code"])) is not None and v < t["comment_below"]]
    if low and not data.comment.strip():
        message = f"以下评分低于要求说明的分数线，请填写评语：{'、'.join(low)}"
        raise DomainError("comment_required", message, 422, [FieldError("comment", "comment_required", message)])
    async with engine().transaction():
        await transition(
            ReviewAssignment,
            assignment_id,
            "submit",
            Actor(principal.user_id, "expert"),
            values={"scores": json.dumps(data.scores), "comment": data.comment, "submitted_at": now_utc()},
        )
    return await expert_view(principal, assignment_id)


async def decline(principal: Principal, assignment_id: int, reason: str) -> dict[str, Any]:
    """The expert declares a conflict: the conflict is recorded, the assignment ends, and the application is
    refilled from the pool (every other assignment stays as it is)."""
    row = await _own(principal, assignment_id)
    async with engine().transaction():
        await transition(
            ReviewAssignment,
            assignment_id,
            "decline",
            Actor(principal.user_id, "expert"),
            reason=reason,
        )
        await record_conflict(
            principal,
            ConflictCreate(expert_id=principal.user_id, organisation_id=row["organisation_id"], reason=reason),
            source="declared",
        )
    added = await reassign(row["application"])
    return {"assignment_id": assignment_id, "status": ReviewAssignmentStatus.declined, "replacements": added}


async def officer_step(principal: Principal, assignment_id: int, action: str, reason: str) -> dict[str, Any]:
    """Officer in scope reopens a submitted review (the expert may change it) or removes an open assignment."""
    row = (
        await ReviewAssignment.select(ReviewAssignment.scope_district, ReviewAssignment.application)
        .where(ReviewAssignment.id == assignment_id)
        .first()
    )
    if row is None:
        raise not_found("评审任务")
    ensure_staff_scope(principal, row["scope_district"], "评审任务")
    if len(reason.strip()) < 2:
        raise DomainError("reason_required", "此操作须填写原因", 422)
    async with engine().transaction():
        result = await transition(
            ReviewAssignment,
            assignment_id,
            action,
            Actor(principal.user_id, principal.role.value),
            reason=reason,
        )
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action=f"review_assignment.{action}.note",
            object_type="application",
            object_id=row["application"],
            reason=reason,
        )
    return {"assignment_id": assignment_id, "status": result.after}
