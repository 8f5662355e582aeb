"""The roadshow session's use cases: commit the order's seed, draw the order, read the session, end it.

1. ``commit_session`` freezes the final's entries and a seed the server generates, kept in ``roadshow_seed``; only
   its SHA-256 is shown. 2. ``draw_order`` reveals the seed and makes the presentations in the order
   ``maths.presentation_order(seed, entries)`` gives — anyone can recompute it (``GET …/draw``, public).
3. ``end_session`` locks the final's score sheets (the session's status; a trigger repeats it in the database) and,
   once the round's deadline has passed, closes the round: the ranking (``scoring.ranking.rank_round``) is the
   round's aggregation with the public vote blended in, publishable through 公示 like any closed round.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, not_found
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.kinds import RoundStage
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, RoundStatus
from scoring.access import ROUNDS
from scoring.ranking import rank_round
from scoring.roadshow.access import SESSIONS
from scoring.roadshow.maths import presentation_order
from scoring.roadshow.schemas import DrawRead, EndRead, PresentationRead, SessionCreate, SessionRead
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSeed, RoadshowSession
from scoring.roadshow.window import presentation_state, window_closes_at


def seed_hash(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's UTF-8 bytes, hex (as for 双随机 draws)."""
    return hashlib.sha256(seed.encode()).hexdigest()


async def commit_session(principal: Principal, round_id: int, data: SessionCreate) -> SessionRead:
    """Officer in scope: a roadshow session for an open final round, its entries frozen, its seed hidden."""
    found = await load(
        principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district, Round.stage, Round.status)
    )
    if found["stage"] != RoundStage.final:
        raise conflict("round_not_final", "只有决赛（路演）轮次可以安排路演")
    if found["status"] != RoundStatus.open:
        raise conflict("round_not_open", "轮次未开放或已关闭，不能安排路演")
    entries = [
        r["id"]
        for r in await Application.select(Application.id)
        .where((Application.round == round_id) & Application.status.is_in(APPLICATION.states_with("reviewable")))
        .order_by(Application.id)
    ]
    if not entries:
        raise conflict("roadshow_without_entries", "本轮次没有可参加路演的项目")
    seed = secrets.token_hex(32)  # 64 hex characters: the column's width
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            rows = await RoadshowSession.insert(
                RoadshowSession(
                    round=round_id,
                    status="committed",
                    seed_hash=seed_hash(seed),
                    seed="",
                    entries=json.dumps(entries),
                    planned_minutes=data.planned_minutes,
                    grace_seconds=data.grace_seconds,
                    vote_weight_percent=data.vote_weight_percent,
                    created_by=principal.user_id,
                    scope_district=found["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(RoadshowSession.id)
            session_id = int(rows[0]["id"])
            await RoadshowSeed.insert(RoadshowSeed(session=session_id, seed=seed, created_at=now_utc()))
            await uow.audit(
                "roadshow_commit",
                "roadshow_session",
                session_id,
                after={"round": round_id, "seed_hash": seed_hash(seed), "entries": entries, **data.model_dump()},
            )
    except UniqueViolationError as exc:  # one session per final round: a second (or a concurrent) commit
        raise conflict("roadshow_exists", "本轮次已安排路演") from exc
    return await read_session(session_id)


async def draw_order(principal: Principal, session_id: int) -> SessionRead:
    """Officer in scope: reveal the seed and lay out the presentations in the drawn order (once)."""
    await load(principal, SESSIONS.table, session_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(RoadshowSession, session_id, "draw", values={"drawn_at": now_utc()})
        secret = await RoadshowSeed.select(RoadshowSeed.seed).where(RoadshowSeed.session == session_id)
        seed = secret[0]["seed"]
        row = await _session_row(session_id)
        order = presentation_order(seed, row["entries"])
        await RoadshowSession.update({RoadshowSession.seed: seed}).where(RoadshowSession.id == session_id)
        await RoadshowPresentation.insert(
            *(
                RoadshowPresentation(
                    session=session_id,
                    application=application_id,
                    position=position,
                    planned_minutes=row["planned_minutes"],
                    scope_district=row["scope_district"],
                    created_at=now_utc(),
                )
                for position, application_id in enumerate(order, start=1)
            )
        )
        await uow.audit("roadshow_draw", "roadshow_session", session_id, after={"seed": seed, "order": order})
    return await read_session(session_id)


async def end_session(principal: Principal, session_id: int) -> EndRead:
    """Officer in scope: end the session — no presentation may still be running. The final's score sheets lock;
    the round closes and ranks now if its deadline has passed (else the officer closes it later)."""
    await load(principal, SESSIONS.table, session_id)
    closed = False
    async with unit_of_work(Actor.of(principal)) as uow:
        # The transition locks the session row: starts, stops and scoring writes wait or see it ended.
        await uow.transition(RoadshowSession, session_id, "end", values={"ended_at": now_utc(), "voting_open": False})
        running = await RoadshowPresentation.exists().where(
            (RoadshowPresentation.session == session_id)
            & RoadshowPresentation.started_at.is_not_null()
            & RoadshowPresentation.stopped_at.is_null()
        )
        if running:
            raise conflict("presentation_running", "仍有项目在路演中，请先结束该项目的路演")
        row = await _session_row(session_id)
        round_row = await Round.select(Round.status, Round.closes_at).where(Round.id == row["round"]).first()
        assert round_row is not None
        if round_row["status"] == RoundStatus.open and round_row["closes_at"] <= now_utc():
            await uow.transition(Round, row["round"], "close")
            await rank_round(row["round"])
            closed = True
    return EndRead(session=await read_session(session_id), round_closed=closed)


async def _session_row(session_id: int) -> dict[str, Any]:
    row = (
        await RoadshowSession.select(*RoadshowSession.all_columns(), RoadshowSession.round._.blind.as_alias("blind"))
        .where(RoadshowSession.id == session_id)
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return dict(row)


async def presentations_of(session: Mapping[str, Any]) -> list[PresentationRead]:
    """The session's presentations in order, blind as the round says (one query)."""
    rows = (
        await RoadshowPresentation.select(
            *RoadshowPresentation.all_columns(),
            RoadshowPresentation.application._.title.as_alias("title"),
            RoadshowPresentation.application._.organisation._.name.as_alias("organisation_name"),
        )
        .where(RoadshowPresentation.session == session["id"])
        .order_by(RoadshowPresentation.position)
    )
    now, grace = now_utc(), int(session["grace_seconds"])
    return [
        PresentationRead(
            id=r["id"],
            application_id=r["application"],
            position=r["position"],
            title=r["title"],
            organisation_name=None if session["blind"] else r["organisation_name"],
            planned_minutes=r["planned_minutes"],
            started_at=r["started_at"],
            stopped_at=r["stopped_at"],
            window_closes_at=window_closes_at(r["stopped_at"], grace),
            state=presentation_state(r["started_at"], r["stopped_at"], grace, now),
        )
        for r in rows
    ]


async def read_session(session_id: int) -> SessionRead:
    row = await _session_row(session_id)
    return SessionRead(
        id=row["id"],
        round_id=row["round"],
        status=row["status"],
        seed_hash=row["seed_hash"],
        seed=row["seed"] or None,
        entries=row["entries"] or [],
        planned_minutes=row["planned_minutes"],
        grace_seconds=row["grace_seconds"],
        vote_weight_percent=row["vote_weight_percent"],
        voting_open=row["voting_open"],
        drawn_at=row["drawn_at"],
        ended_at=row["ended_at"],
        presentations=await presentations_of(row),
    )


async def staff_view(principal: Principal, session_id: int) -> SessionRead:
    await load(principal, SESSIONS.table, session_id)
    return await read_session(session_id)


async def session_of_round(principal: Principal, round_id: int) -> SessionRead:
    await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district))
    found = await RoadshowSession.select(RoadshowSession.id).where(RoadshowSession.round == round_id).first()
    if found is None:
        raise not_found(SESSIONS.label_zh)
    return await read_session(int(found["id"]))


async def public_draw(session_id: int) -> DrawRead:
    """The draw's public record: the seed hash before the draw, the seed, entries and order after."""
    rows = (
        await RoadshowSession.select(*RoadshowSession.all_columns())
        .where(RoadshowSession.id == session_id)
        .output(load_json=True)
    )
    if not rows:
        raise not_found(SESSIONS.label_zh)
    row = rows[0]
    order = [
        r["application"]
        for r in await RoadshowPresentation.select(RoadshowPresentation.application)
        .where(RoadshowPresentation.session == session_id)
        .order_by(RoadshowPresentation.position)
    ]
    return DrawRead(
        session_id=row["id"],
        round_id=row["round"],
        status=row["status"],
        seed_hash=row["seed_hash"],
        seed=row["seed"] or None,
        entries=row["entries"] or [],
        order=order,
    )
