"""异议: anyone signed in files an objection during 公示 about a listed application; an officer upholds it (the
application goes back to review: ``scoring.publication.rereview`` ends that) or dismisses it."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, conflict, not_found
from app.notifications.service import notify_user
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.notify import notify_members
from programmes.tables import Application
from programmes.workflows import ApplicationStatus
from programmes.workflows.publication import OBJECTION, PublicationStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.access import OBJECTIONS, PUBLICATIONS
from scoring.publication.schemas import ObjectionRead
from scoring.publication.service import read
from scoring.tables import Objection, Publication, RankingEntry, ReviewAssignment


async def file_objection(principal: Principal, publication_id: int, application_id: int, reason: str) -> ObjectionRead:
    """Anyone signed in, during the notice period, about a listed application."""
    publication = await read(publication_id)
    if publication.status != PublicationStatus.published or now_utc() >= publication.ends_at:
        raise conflict("publication_closed", "公示期已结束，不能再提出异议")
    if application_id not in {e.application_id for e in publication.entries}:
        raise DomainError("application_not_listed", "该项目不在公示名单中", 422)
    async with unit_of_work(Actor.of(principal)) as uow:
        # The publication's row lock orders this with finalise and amend: no objection slips in after the result
        # became final, and an application removed by a correction can no longer be objected to.
        locked = (
            await Publication.select(
                Publication.status, Publication.ends_at, Publication.entries, Publication.scope_district
            )
            .where(Publication.id == publication_id)
            .lock_rows("UPDATE")
            .output(load_json=True)
        )
        scope = locked[0]
        if scope["status"] != PublicationStatus.published or now_utc() >= scope["ends_at"]:
            raise conflict("publication_closed", "公示期已结束，不能再提出异议")
        if application_id not in {e["application_id"] for e in scope["entries"] or []}:
            raise DomainError("application_not_listed", "该项目不在公示名单中", 422)
        rows = await Objection.insert(
            Objection(
                publication=publication_id,
                application=application_id,
                filed_by=principal.user_id,
                reason=reason,
                status=OBJECTION.initial,
                scope_district=scope["scope_district"],
            )
        ).returning(Objection.id)
        objection_id = int(rows[0]["id"])
        after = {"publication_id": publication_id, "application_id": application_id}
        await uow.audit("objection.file", "objection", objection_id, after=after, reason=reason)
        # The applicant learns that its project is contested (not who objected).
        await notify_members(
            application_id,
            "objection_filed",
            "您的公示项目收到异议",
            f"您的申报（编号 {application_id}）在公示期内收到一项异议，项目官员将核查处理，结果将另行通知。",
            f"objection:{objection_id}:filed",
        )
    return await read_objection(objection_id)


async def publication_objections(principal: Principal, publication_id: int, paging: PageParams) -> Page[ObjectionRead]:
    """Officer in scope: a notice's objections, oldest first (two queries whatever the page)."""
    await load(principal, PUBLICATIONS.table, publication_id, columns=(Publication.id, Publication.scope_district))
    query = Objection.select().order_by(Objection.id)
    page = await fetch_page(Objection, query, paging, Objection.publication == publication_id)
    return page.map([_objection(row) for row in page.items])


async def read_objection(objection_id: int) -> ObjectionRead:
    row = await Objection.select().where(Objection.id == objection_id).first()
    if row is None:
        raise not_found("异议")
    return _objection(row)


def _objection(row: dict[str, Any]) -> ObjectionRead:
    return ObjectionRead(
        id=row["id"],
        publication_id=row["publication"],
        application_id=row["application"],
        status=row["status"],
        reason=row["reason"],
        resolution=row["resolution"],
    )


async def resolve(principal: Principal, objection_id: int, upheld: bool, resolution: str) -> ObjectionRead:
    """Officer in scope. Upheld → re-review of that application only: it goes back to ``in_review``, its ranking row
    is removed and its submitted reviews are reopened for the same experts (the officer may also remove and assign
    experts); experts may then score it although the round is closed. ``rereview.conclude`` re-ranks and corrects
    the notice. The objector and the applicant are told the decision."""
    row = await load(principal, OBJECTIONS.table, objection_id)
    application_id = row["application"]
    async with unit_of_work(Actor.of(principal)) as uow:
        # Every change of a notice and its objections takes the publication's row lock first (file, resolve,
        # conclude, finalise): one order, so they serialise instead of deadlocking on each other's rows.
        await Publication.select(Publication.id).where(Publication.id == row["publication"]).lock_rows("UPDATE")
        await uow.transition(
            Objection,
            objection_id,
            "uphold" if upheld else "dismiss",
            reason=resolution,
            values={"resolution": resolution, "resolved_by": principal.user_id, "resolved_at": now_utc()},
        )
        # Under the application's row lock (the engine's): a second upheld objection on an application already in
        # re-review joins that re-review instead of failing on ``reopen_review``.
        status = (
            await Application.select(Application.status).where(Application.id == application_id).lock_rows("UPDATE")
        )[0]["status"]
        if upheld and status != ApplicationStatus.in_review:
            await uow.transition(Application, application_id, "reopen_review", reason=resolution)
            await RankingEntry.delete().where(RankingEntry.application == application_id)
            for review in await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.expert).where(
                (ReviewAssignment.application == application_id)
                & (ReviewAssignment.status == ReviewAssignmentStatus.submitted)
            ):
                await uow.transition(ReviewAssignment, review["id"], "reopen", reason=resolution)
                await notify_user(
                    review["expert"],
                    "rereview_requested",
                    "请重新评审",
                    f"公示期异议成立，申报（编号 {application_id}）需重新评审，请在评审任务中修改并重新提交评分。",
                    f"objection:{objection_id}:rereview:{review['id']}",
                )
        await _notify_decision(row, upheld, resolution)
    return await read_objection(objection_id)


async def _notify_decision(objection: dict[str, Any], upheld: bool, resolution: str) -> None:
    outcome = "异议成立，该项目将重新评审并更正公示" if upheld else "异议不成立，公示结果不变"
    body = f"关于申报（编号 {objection['application']}）的异议处理结果：{outcome}。说明：{resolution}"
    key = f"objection:{objection['id']}:resolved"
    await notify_user(objection["filed_by"], "objection_resolved", "异议处理结果", body, f"{key}:objector")
    await notify_members(objection["application"], "objection_resolved", "异议处理结果", body, key)
