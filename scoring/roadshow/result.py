"""The final's result: the round's own aggregation and tie-break (scoring.aggregation), with the public vote
blended in at the session's weight. ``scoring.ranking.rank_round`` asks this module when it ranks a round, so
closing the round (API, admin, or ending the session) computes the result the same way."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.errors import conflict
from programmes.workflows.roadshow import RoadshowStatus
from scoring.aggregation import RoundAggregate
from scoring.roadshow.maths import blended_ranking
from scoring.roadshow.tables import RoadshowSession, RoadshowVote


@dataclass(frozen=True)
class LiveResult:
    weight_percent: int
    places: dict[int, tuple[int, Fraction]]  # application id → (rank, blended score)
    votes: dict[int, int]


async def vote_counts(session_id: int) -> dict[int, int]:
    rows = await RoadshowVote.raw(
        "SELECT application, count(*)::integer AS votes FROM roadshow_vote WHERE session = {} GROUP BY application",
        session_id,
    )
    return {int(r["application"]): int(r["votes"]) for r in rows}


def scale_top(result: RoundAggregate) -> int:
    """The rubric's top score: a review's weighted mean never exceeds the largest criterion maximum."""
    return max((c.max_score for c in result.rules.criteria), default=100)


async def live_result(round_id: int, result: RoundAggregate) -> LiveResult | None:
    """None for a round without a roadshow session. A session not yet ended refuses (409): its sheets are open."""
    session = (
        await RoadshowSession.select(RoadshowSession.id, RoadshowSession.status, RoadshowSession.vote_weight_percent)
        .where(RoadshowSession.round == round_id)
        .first()
    )
    if session is None:
        return None
    if session["status"] != RoadshowStatus.ended:
        raise conflict("roadshow_not_ended", "决赛路演尚未结束，结束路演后才能关闭轮次并计算结果")
    votes = await vote_counts(session["id"])
    judged = [(e.application_id, e.rank, e.score) for e in result.ranking()]
    placed = blended_ranking(judged, votes, session["vote_weight_percent"], scale_top(result))
    return LiveResult(session["vote_weight_percent"], {p.application_id: (p.rank, p.score) for p in placed}, votes)
