"""Re-review after an upheld objection (重新评审), then the dated correction of the notice (更正公示).

``service.resolve`` starts it: the application is back ``in_review`` and its reviews are reopened. This module ends
it: once every live assignment of the application is submitted again, the closed round is re-ranked (applications
whose own re-review is still under way stay out), the notice's list is re-cut with the rules it was published
with, the change is appended to ``publication.corrections`` (the earlier list is kept) and the notice period
restarts for ``days`` — so the award gate ("published, period ended, no open objection") sees a running notice
again. Objectors and every applicant whose place changed are told.
"""

from __future__ import annotations

import json
from datetime import timedelta

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.notifications.service import notify_user
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.notify import notify_members
from programmes.tables import Application
from programmes.workflows import ApplicationStatus
from programmes.workflows.publication import ObjectionStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.access import OBJECTIONS
from scoring.publication.schemas import PublicationRead
from scoring.publication.service import advancing, notify_result, read
from scoring.ranking import rank_round
from scoring.tables import Objection, Publication, RankingEntry, ReviewAssignment


async def conclude(principal: Principal, objection_id: int, days: int, note: str) -> PublicationRead:
    """Officer in scope ends the re-review of an upheld objection's application and corrects the notice. Every
    upheld objection on that application is concluded with it. Returns the corrected publication."""
    objection = await load(principal, OBJECTIONS.table, objection_id)
    if objection["status"] != ObjectionStatus.upheld:
        raise conflict("rereview_not_pending", "只有异议成立、正在重新评审的项目可以完成重新评审")
    application_id, publication_id = objection["application"], objection["publication"]
    async with unit_of_work(Actor.of(principal)) as uow:
        # Lock order as in finalise: the publication first, then (in the engine) the application and objections.
        publication = (
            await Publication.select(*Publication.all_columns())
            .where(Publication.id == publication_id)
            .lock_rows("UPDATE")
            .output(load_json=True)
        )[0]
        upheld = await Objection.select(Objection.id, Objection.filed_by).where(
            (Objection.application == application_id) & (Objection.status == ObjectionStatus.upheld)
        )
        if objection_id not in {o["id"] for o in upheld}:  # concluded meanwhile by a concurrent request
            raise conflict("rereview_not_pending", "只有异议成立、正在重新评审的项目可以完成重新评审")
        await _check_reviews_done(application_id)
        round_id = publication["round"]
        others = [
            a["id"]
            for a in await Application.select(Application.id).where(
                (Application.round == round_id)
                & (Application.status == ApplicationStatus.in_review)
                & (Application.id != application_id)
            )
        ]
        await RankingEntry.delete().where(RankingEntry.round == round_id)
        await rank_round(round_id, exclude=others)
        listed, ranked = await advancing(round_id, publication["rules"] or {})
        before = {e["application_id"] for e in publication["entries"] or []}
        after = {e["application_id"] for e in listed}
        now = now_utc()
        ends_at = max(publication["ends_at"], now + timedelta(days=days))
        correction = {
            "at": now.isoformat(),
            "by": principal.user_id,
            "objection_ids": sorted(o["id"] for o in upheld),
            "application_id": application_id,
            "added": sorted(after - before),
            "removed": sorted(before - after),
            "entries_before": publication["entries"] or [],
            "ends_at_before": publication["ends_at"].isoformat(),
            "ends_at": ends_at.isoformat(),
            "note": note,
        }
        await uow.transition(
            Publication,
            publication_id,
            "amend",
            values={
                "entries": json.dumps(listed),
                "corrections": json.dumps([*(publication["corrections"] or []), correction]),
                "ends_at": ends_at,
            },
            reason=note,
        )
        for row in upheld:
            await uow.transition(Objection, row["id"], "conclude", reason=note)
        ends = f"{shown(ends_at):%Y-%m-%d %H:%M}"
        tag = f":correction:{len(publication['corrections'] or []) + 1}"
        # The re-reviewed applicant always hears the outcome; others only when their place changed.
        for changed in sorted({application_id} | (after ^ before)):
            if changed in ranked or changed in before:
                await notify_result(publication_id, changed, changed in after, ends, tag)
        outcome = "仍列入公示名单" if application_id in after else "不再列入公示名单"
        body = (
            f"您提出异议的申报（编号 {application_id}）已重新评审：{outcome}。公示已更正，公示期至 {ends}。说明：{note}"
        )
        for filer in sorted({o["filed_by"] for o in upheld}):
            await notify_user(
                filer, "rereview_done", "重新评审结果", body, f"publication:{publication_id}{tag}:objector:{filer}"
            )
        await notify_members(
            application_id,
            "rereview_done",
            "重新评审结果",
            f"您的申报（编号 {application_id}）已重新评审：{outcome}。",
            f"publication:{publication_id}{tag}:rereview",
        )
    return await read(publication_id)


async def _check_reviews_done(application_id: int) -> None:
    """Every live assignment submitted again, and at least one (declined and removed ones do not count)."""
    reviews = await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.status).where(
        ReviewAssignment.application == application_id
    )
    waiting = [r["id"] for r in reviews if r["status"] == ReviewAssignmentStatus.assigned]
    if waiting:
        message = f"尚有 {len(waiting)} 份评审未重新提交，全部提交后方可完成重新评审"
        raise DomainError(
            "rereview_incomplete",
            message,
            409,
            [FieldError(f"assignments.{i}", "review_not_submitted", message) for i in waiting],
        )
    if not any(r["status"] == ReviewAssignmentStatus.submitted for r in reviews):
        raise conflict("rereview_incomplete", "该项目没有已提交的评审，请先分配专家完成评审")
