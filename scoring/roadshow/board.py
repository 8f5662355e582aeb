"""The officer's live board (and the judges' sheet): per entry, judges scored / expected, the current mean, public
votes and the rank — computed with the round's own aggregation and tie-break rules (scoring.aggregation) and the
public vote blended in as the result will be —, outlier reviews and each judge's spread.

Cheap enough to poll: the session (the access check) and one query that returns the whole board as one JSON
document. The server-sent events stream sends the same board every ``roadshow_board_interval_seconds`` until the
session ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.paging import Page, PageParams, fetch_page
from app.settings import get_settings
from app.timezone import now_utc
from programmes.workflows.review import REVIEW_ASSIGNMENT, ReviewAssignmentStatus
from programmes.workflows.roadshow import ROADSHOW_SESSION, RoadshowStatus
from scoring.aggregation import Criterion, Review, aggregate_round, review_score
from scoring.ranking import exact, round_rules
from scoring.roadshow.access import SESSIONS
from scoring.roadshow.maths import blended_ranking, judge_spreads
from scoring.roadshow.schemas import BoardEntry, BoardRead, JudgeSessionRead, JudgeSheet, JudgeSlot, JudgeSpreadRead
from scoring.roadshow.service import presentations_of
from scoring.roadshow.tables import RoadshowSession
from scoring.roadshow.window import scoring_open
from scoring.tables import ReviewAssignment

SESSION_COLUMNS = (
    RoadshowSession.id,
    RoadshowSession.round,
    RoadshowSession.status,
    RoadshowSession.entries,
    RoadshowSession.grace_seconds,
    RoadshowSession.vote_weight_percent,
    RoadshowSession.voting_open,
    RoadshowSession.scope_district,
    RoadshowSession.round._.blind.as_alias("blind"),
    RoadshowSession.round._.aggregation_method.as_alias("aggregation_method"),
    RoadshowSession.round._.tie_break.as_alias("tie_break"),
    RoadshowSession.round._.reviews_per_application.as_alias("reviews_per_application"),
)

BOARD_SQL = """
SELECT json_build_object(
  'criteria', (SELECT coalesce(json_agg(json_build_array(c.code, c.weight, c.max_score, c.allow_na)
                                        ORDER BY c.position, c.id), '[]')
               FROM criterion c WHERE c.round = {}),
  'entries', (SELECT coalesce(json_agg(json_build_object(
                 'id', a.id, 'title', a.title, 'organisation', o.name, 'position', p.position,
                 'submitted_at', extract(epoch FROM a.submitted_at),
                 'votes', (SELECT count(*) FROM roadshow_vote v WHERE v.session = {} AND v.application = a.id),
                 'reviews', (SELECT coalesce(json_agg(json_build_array(ra.expert, ra.status, ra.scores)
                                                      ORDER BY ra.expert), '[]')
                             FROM review_assignment ra
                             WHERE ra.application = a.id AND ra.status = ANY({}::varchar[]))
               ) ORDER BY a.id), '[]')
              FROM application a JOIN organisation o ON o.id = a.organisation
              LEFT JOIN roadshow_presentation p ON p.session = {} AND p.application = a.id
              WHERE a.id = ANY({}::integer[]))
) AS board
"""


async def board(principal: Principal, session_id: int) -> BoardRead:
    """Officer in scope: the board now."""
    session = await load(principal, SESSIONS.table, session_id, columns=SESSION_COLUMNS, load_json=True)
    return await board_of(session)


async def board_stream(principal: Principal, session_id: int) -> AsyncIterator[str]:
    """Officer in scope: the board as JSON every few seconds while the session runs, a last one once it ends. The
    access check runs before the stream starts (a 404 is a response, not an event)."""
    await load(principal, SESSIONS.table, session_id, columns=SESSION_COLUMNS, load_json=True)

    async def events() -> AsyncIterator[str]:
        while True:
            rows = (
                await RoadshowSession.select(*SESSION_COLUMNS)
                .where(RoadshowSession.id == session_id)
                .output(load_json=True)
            )
            current = await board_of(rows[0])
            yield current.model_dump_json()
            if current.status == RoadshowStatus.ended:
                return
            await asyncio.sleep(get_settings().roadshow_board_interval_seconds)

    return events()


async def board_of(session: dict[str, Any]) -> BoardRead:
    loaded = await RoadshowSession.raw(
        BOARD_SQL,
        session["round"],
        session["id"],
        list(REVIEW_ASSIGNMENT.states_with("live")),
        session["id"],
        session["entries"] or [],
    )
    document = json.loads(loaded[0]["board"])
    criteria = [Criterion(code, weight, top, allow_na=na) for code, weight, top, na in document["criteria"]]
    entries = document["entries"]
    submitted = [
        Review(e["id"], expert, scores)
        for e in entries
        for expert, status, scores in e["reviews"]
        if status == ReviewAssignmentStatus.submitted
    ]
    votes = {e["id"]: int(e["votes"]) for e in entries}
    rules = round_rules(session, criteria)
    places: dict[int, tuple[int, str, str, str, float, list[int]]] = {}
    spreads: list[JudgeSpreadRead] = []
    if submitted and criteria:
        when = {e["id"]: datetime.fromtimestamp(float(e["submitted_at"] or 0), UTC) for e in entries}
        result = aggregate_round(rules, submitted, when)
        details = {r.application_id: r for r in result.results()}
        ranking = result.ranking()
        top = max(c.max_score for c in criteria)
        blended = blended_ranking(
            [(r.application_id, r.rank, r.score) for r in ranking], votes, session["vote_weight_percent"], top
        )
        judged = {r.application_id: r.score for r in ranking}
        for placed in blended:
            d = details[placed.application_id]
            places[placed.application_id] = (
                placed.rank,
                str(exact(d.weighted_mean)),
                str(exact(judged[placed.application_id])),
                str(exact(placed.score)),
                round(d.spread, 6),
                list(d.outlier_experts),
            )
        spreads = [
            JudgeSpreadRead(**vars(s))
            for s in judge_spreads(
                [(r.application_id, r.expert_id, review_score(criteria, r.scores)) for r in submitted]
            )
        ]
    rows = []
    for e in entries:
        place = places.get(e["id"])
        rows.append(
            BoardEntry(
                application_id=e["id"],
                position=e["position"],
                title=e["title"],
                organisation_name=None if session["blind"] else e["organisation"],
                judges_scored=sum(1 for _, status, _ in e["reviews"] if status == ReviewAssignmentStatus.submitted),
                judges_expected=len(e["reviews"]),
                current_mean=place[1] if place else None,
                judges_score=place[2] if place else None,
                public_votes=votes[e["id"]],
                score=place[3] if place else None,
                rank=place[0] if place else None,
                spread=place[4] if place else None,
                outlier_experts=place[5] if place else [],
            )
        )
    last = len(rows) + 1
    rows.sort(key=lambda r: (r.rank or last, r.position or last, r.application_id))
    return BoardRead(
        session_id=session["id"],
        round_id=session["round"],
        status=session["status"],
        blind=bool(session["blind"]),
        vote_weight_percent=session["vote_weight_percent"],
        voting_open=bool(session["voting_open"]),
        method=rules.method,
        entries=rows,
        judges=spreads,
    )


async def judge_sheet(principal: Principal, session_id: int) -> JudgeSheet:
    """A judge's own slots in presentation order, each with their assignment and whether scoring is open now.
    Blind as the round says, like the review API (scoring.reviews)."""
    session = await load(principal, SESSIONS.table, session_id, "judge", columns=SESSION_COLUMNS, load_json=True)
    mine = await ReviewAssignment.select(
        ReviewAssignment.id, ReviewAssignment.application, ReviewAssignment.status
    ).where(
        (ReviewAssignment.expert == principal.user_id)
        & (ReviewAssignment.application._.round == session["round"])
        & ReviewAssignment.status.is_in(REVIEW_ASSIGNMENT.states_with("live"))
    )
    by_application = {r["application"]: r for r in mine}
    now, grace = now_utc(), int(session["grace_seconds"])
    slots = [
        JudgeSlot(
            presentation=p,
            assignment_id=by_application[p.application_id]["id"],
            review_status=by_application[p.application_id]["status"],
            scoring_open=session["status"] == RoadshowStatus.drawn
            and scoring_open(p.started_at, p.stopped_at, grace, now),
        )
        for p in await presentations_of(session)
        if p.application_id in by_application
    ]
    return JudgeSheet(session_id=session_id, status=session["status"], blind=bool(session["blind"]), slots=slots)


async def judge_sessions(principal: Principal, paging: PageParams) -> Page[JudgeSessionRead]:
    """The expert's roadshow sessions — those of rounds they hold a live assignment in —, newest first (three
    queries). The sheet of each is ``judge_sheet``."""
    rounds = await ReviewAssignment.select(ReviewAssignment.application._.round.as_alias("round")).where(
        (ReviewAssignment.expert == principal.user_id)
        & ReviewAssignment.status.is_in(REVIEW_ASSIGNMENT.states_with("live"))
    )
    query = RoadshowSession.select(
        RoadshowSession.id,
        RoadshowSession.round,
        RoadshowSession.round._.name.as_alias("round_name"),
        RoadshowSession.status,
    ).order_by(RoadshowSession.id, ascending=False)
    judged = RoadshowSession.round.is_in(sorted({r["round"] for r in rounds}) or [0])
    page = await fetch_page(RoadshowSession, query, paging, judged)
    return page.map(
        [
            JudgeSessionRead(
                session_id=r["id"],
                round_id=r["round"],
                round_name=r["round_name"],
                status=r["status"],
                status_zh=ROADSHOW_SESSION.states.get(r["status"], r["status"]),
            )
            for r in page.items
        ]
    )
