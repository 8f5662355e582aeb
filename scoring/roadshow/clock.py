"""The per-presentation clock: the officer starts an entry's presentation and stops it; one at a time per session.
Both lock the session row first, so two starts at once cannot both find the stage free."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.workflows.roadshow import ROADSHOW_SESSION
from scoring.roadshow.access import PRESENTATIONS
from scoring.roadshow.schemas import PresentationRead
from scoring.roadshow.service import presentations_of
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession


async def _locked_session(session_id: int) -> dict[str, Any]:
    rows = (
        await RoadshowSession.select(
            RoadshowSession.id, RoadshowSession.status, RoadshowSession.grace_seconds, RoadshowSession.round
        )
        .where(RoadshowSession.id == session_id)
        .lock_rows("UPDATE")
    )
    session = dict(rows[0])
    if session["status"] not in ROADSHOW_SESSION.states_with("live"):
        raise conflict("roadshow_not_live", "路演出场顺序尚未抽取或路演已结束")
    return session


async def _read(session: dict[str, Any], presentation_id: int) -> PresentationRead:
    from programmes.tables import Round

    blind = await Round.select(Round.blind).where(Round.id == session["round"]).first()
    shown = await presentations_of({**session, "blind": bool(blind and blind["blind"])})
    return next(p for p in shown if p.id == presentation_id)


async def start_presentation(principal: Principal, presentation_id: int) -> PresentationRead:
    """Officer in scope: the entry takes the stage; judges may score it from now on."""
    found = await load(principal, PRESENTATIONS.table, presentation_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await _locked_session(found["session"])
        row = await RoadshowPresentation.select().where(RoadshowPresentation.id == presentation_id).first()
        assert row is not None
        if row["started_at"] is not None:
            raise conflict("presentation_already_started", "该项目已经路演过，不能重新开始")
        running = await RoadshowPresentation.exists().where(
            (RoadshowPresentation.session == session["id"])
            & RoadshowPresentation.started_at.is_not_null()
            & RoadshowPresentation.stopped_at.is_null()
        )
        if running:
            raise conflict("presentation_running", "仍有项目在路演中，请先结束该项目的路演")
        now = now_utc()
        await RoadshowPresentation.update({RoadshowPresentation.started_at: now}).where(
            RoadshowPresentation.id == presentation_id
        )
        await uow.audit(
            "roadshow_start", "roadshow_presentation", presentation_id, after={"started_at": now.isoformat()}
        )
    return await _read(session, presentation_id)


async def stop_presentation(principal: Principal, presentation_id: int) -> PresentationRead:
    """Officer in scope: the presentation ends; judges may still score it for the session's grace period."""
    found = await load(principal, PRESENTATIONS.table, presentation_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await _locked_session(found["session"])
        row = await RoadshowPresentation.select().where(RoadshowPresentation.id == presentation_id).first()
        assert row is not None
        if row["started_at"] is None or row["stopped_at"] is not None:
            raise conflict("presentation_not_running", "该项目不在路演中")
        now = now_utc()
        await RoadshowPresentation.update({RoadshowPresentation.stopped_at: now}).where(
            RoadshowPresentation.id == presentation_id
        )
        await uow.audit(
            "roadshow_stop", "roadshow_presentation", presentation_id, after={"stopped_at": now.isoformat()}
        )
    return await _read(session, presentation_id)
