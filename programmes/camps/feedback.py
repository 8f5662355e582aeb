"""Feedback per session: a rating 1–5 and a comment, once per registration and session (a unique index: a second
one is 409, concurrent ones leave one), from an organisation that attended; summarised per camp, per session and
per trainer for officers in the camp's scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, conflict
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps.attendance import participant_session
from programmes.camps.schemas_attendance import (
    CampFeedbackSummary,
    FeedbackCreate,
    FeedbackRead,
    RatingSummary,
    SessionFeedbackSummary,
    TrainerFeedbackSummary,
)
from programmes.camps.tables import Camp, CampSession, SessionAttendance, SessionFeedback


def _feedback_exists() -> DomainError:
    return conflict("feedback_exists", "本单位已对该课程提交过评价")


async def give_feedback(principal: Principal, session_id: int, data: FeedbackCreate) -> FeedbackRead:
    session, registration = await participant_session(principal, session_id, data.registration_id)
    attended = await SessionAttendance.exists().where(
        SessionAttendance.session == session_id,
        SessionAttendance.registration == registration["id"],
        SessionAttendance.checked_in_at.is_not_null(),
    )
    if not attended:
        raise DomainError("feedback_needs_attendance", "签到出勤后才能评价该课程", 409)
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            rows = await SessionFeedback.insert(
                SessionFeedback(
                    session=session_id,
                    registration=registration["id"],
                    rating=data.rating,
                    comment=data.comment,
                    scope_district=session["scope_district"],
                )
            ).returning(*SessionFeedback.all_columns())
            await uow.audit("camp.feedback", "camp_session", session_id, after={"rating": data.rating})
    except UniqueViolationError:
        raise _feedback_exists() from None
    row = rows[0]
    return FeedbackRead(
        id=row["id"],
        session_id=session_id,
        registration_id=registration["id"],
        rating=row["rating"],
        comment=row["comment"],
        created_at=row["created_at"],
    )


def _summary(ratings: list[int]) -> dict[str, Any]:
    distribution = {score: ratings.count(score) for score in range(1, 6)}
    average = round(sum(ratings) / len(ratings), 2) if ratings else None
    return {"count": len(ratings), "average": average, "distribution": distribution}


async def camp_summary(principal: Principal, camp_id: int) -> CampFeedbackSummary:
    """Ratings of the camp overall, per session and per trainer (staff in scope). Comments stay in the per-session
    list an officer reads; the summary carries numbers only."""
    await load(principal, Camp, camp_id)
    sessions = (
        await CampSession.select(
            CampSession.id, CampSession.title, CampSession.trainer, CampSession.session_date, CampSession.start_time
        )
        .where(CampSession.camp == camp_id)
        .order_by(CampSession.session_date)
        .order_by(CampSession.start_time)
        .order_by(CampSession.id)
    )
    ratings: dict[int, list[int]] = defaultdict(list)
    for row in await SessionFeedback.select(SessionFeedback.session, SessionFeedback.rating).where(
        SessionFeedback.session.camp == camp_id
    ):
        ratings[int(row["session"])].append(int(row["rating"]))
    by_trainer: dict[str, list[int]] = defaultdict(list)
    trainer_sessions: dict[str, int] = defaultdict(int)
    per_session = []
    for s in sessions:
        mine = ratings.get(int(s["id"]), [])
        by_trainer[s["trainer"]].extend(mine)
        trainer_sessions[s["trainer"]] += 1
        per_session.append(
            SessionFeedbackSummary(
                session_id=s["id"],
                title=s["title"],
                trainer=s["trainer"],
                session_date=s["session_date"],
                **_summary(mine),
            )
        )
    trainers = [
        TrainerFeedbackSummary(trainer=name, sessions=trainer_sessions[name], **_summary(by_trainer[name]))
        for name in sorted(by_trainer)
    ]
    everything = [score for scores in ratings.values() for score in scores]
    return CampFeedbackSummary(
        camp_id=camp_id, overall=RatingSummary(**_summary(everything)), sessions=per_session, trainers=trainers
    )
