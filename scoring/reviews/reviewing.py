"""What experts do with an assignment — save a draft, submit, decline with a declared conflict. Every status
change goes through the engine; the officer's steps on an assignment are ``scoring.assignments``."""

from __future__ import annotations

import json
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.tables import Criterion
from programmes.workflows import RoundStatus
from programmes.workflows.publication import ObjectionStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.access import ASSIGNMENTS
from scoring.aggregation import validate_scores
from scoring.assignments.service import reassign
from scoring.experts.schemas import ConflictCreate
from scoring.experts.service import record_conflict
from scoring.ranking import rubric
from scoring.reviews.schemas import DeclineRead, ExpertAssignmentView, ReviewDraft
from scoring.reviews.service import expert_view
from scoring.roadshow.window import check_live_window
from scoring.tables import Objection, ReviewAssignment


async def _own(principal: Principal, assignment_id: int) -> dict[str, Any]:
    """The caller's own assignment (another expert's reads as missing), with what the steps below check."""
    return await load(
        principal,
        ASSIGNMENTS.table,
        assignment_id,
        "expert",
        columns=(
            ReviewAssignment.id,
            ReviewAssignment.expert,
            ReviewAssignment.status,
            ReviewAssignment.application,
            ReviewAssignment.application._.organisation.as_alias("organisation_id"),
            ReviewAssignment.application._.round.as_alias("round_id"),
            ReviewAssignment.application._.round._.status.as_alias("round_status"),
        ),
    )


def _score_errors(problems: dict[str, str]) -> DomainError:
    return DomainError(
        "scores_invalid",
        "评分不完整或超出范围",
        422,
        [FieldError(f"scores.{code}", "score_invalid", message) for code, message in problems.items()],
    )


async def save_draft(principal: Principal, assignment_id: int, data: ReviewDraft) -> ExpertAssignmentView:
    """The assigned expert saves partial scores (N/A as null) and a comment; nothing is final yet."""
    row = await _own(principal, assignment_id)
    _check_editable(row["status"])  # fast refusal; re-checked under the row lock below
    known = {c.code for c in await rubric(row["round_id"])}
    unknown = {code: "评分标准中没有此项" for code in data.scores if code not in known}
    if unknown:
        raise _score_errors(unknown)
    async with unit_of_work(Actor.of(principal)):
        await check_live_window(row["application"])  # a final's live scoring: within the presentation's window only
        # Under the row lock submit's transition takes: a draft save that lost the race to a submit changes
        # nothing, so the submitted scores are the scores the ranking reads.
        locked = (
            await ReviewAssignment.select(ReviewAssignment.status)
            .where(ReviewAssignment.id == assignment_id)
            .lock_rows("UPDATE")
        )
        _check_editable(locked[0]["status"])
        await ReviewAssignment.update(
            {
                ReviewAssignment.scores: json.dumps(data.scores),
                ReviewAssignment.comment: data.comment,
                ReviewAssignment.comment_shareable: data.comment_shareable,
            }
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


async def submit(principal: Principal, assignment_id: int, data: ReviewDraft) -> ExpertAssignmentView:
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
    async with unit_of_work(Actor.of(principal)) as uow:
        await check_live_window(row["application"])  # a final's live scoring: within the presentation's window only
        await uow.transition(
            ReviewAssignment,
            assignment_id,
            "submit",
            values={
                "scores": json.dumps(data.scores),
                "comment": data.comment,
                "comment_shareable": data.comment_shareable,
                "submitted_at": now_utc(),
            },
        )
    return await expert_view(principal, assignment_id)


async def decline(principal: Principal, assignment_id: int, reason: str) -> DeclineRead:
    """The expert declares a conflict: the conflict is recorded, the assignment ends, and the application is
    refilled from the pool (every other assignment stays as it is)."""
    row = await _own(principal, assignment_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(ReviewAssignment, assignment_id, "decline", reason=reason)
        await record_conflict(
            principal,
            ConflictCreate(expert_id=principal.user_id, organisation_id=row["organisation_id"], reason=reason),
            source="declared",
        )
    added = await reassign(row["application"])
    return DeclineRead(assignment_id=assignment_id, status=ReviewAssignmentStatus.declined, replacements=added)
