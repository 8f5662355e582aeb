"""Thin I/O around the pure aggregation: load a round's reviews, store its ranking with every method side by side."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from app.workflow.engine import Actor, transition
from programmes.tables import Application, Criterion, Round
from programmes.workflows import APPLICATION, ApplicationStatus
from programmes.workflows.bindings import round_application_workflow
from scoring.aggregation import Criterion as RubricCriterion
from scoring.aggregation import Review, RoundAggregate, RoundRules, aggregate_round
from scoring.roadshow.result import live_result
from scoring.tables import RankingEntry, ReviewAssignment
from scoring.tie_break import DEFAULT_TIE_BREAK

PLACES = Decimal("0.000001")


async def rubric(round_id: int) -> list[RubricCriterion]:
    rows = (
        await Criterion.select(Criterion.code, Criterion.weight, Criterion.max_score, Criterion.allow_na)
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
    )
    return [RubricCriterion(r["code"], r["weight"], r["max_score"], allow_na=r["allow_na"]) for r in rows]


def exact(value: Fraction | Decimal) -> Decimal:
    """Six decimals for storage and display; ranking itself compares the exact values."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


def round_rules(round_row: Mapping[str, Any], criteria: Sequence[RubricCriterion]) -> RoundRules:
    """The round's aggregation rules from its ``aggregation_method``, ``tie_break`` and
    ``reviews_per_application`` (the live board of a final computes with the same rules: scoring.roadshow.board)."""
    return RoundRules(
        criteria=criteria,
        method=round_row["aggregation_method"],
        tie_break=[c.code for c in criteria],
        tie_order=round_row["tie_break"] or DEFAULT_TIE_BREAK,
        min_reviews=round_row["reviews_per_application"],
    )


async def aggregate(
    round_id: int, exclude: Collection[int] = ()
) -> tuple[RoundAggregate | None, dict[int, dict[str, Any]]]:
    """The round's aggregate over submitted reviews of applications in review (None without any); ``exclude``
    leaves out applications whose re-review is still under way (scoring.publication.rereview)."""
    round_row = (
        await Round.select(Round.aggregation_method, Round.reviews_per_application, Round.tie_break)
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    assert round_row is not None
    criteria = await rubric(round_id)
    applications = await Application.select(
        Application.id, Application.submitted_at, Application.scope_district, Application.track, Application.status
    ).where((Application.round == round_id) & Application.status.is_in(APPLICATION.states_with("in_ranking")))
    by_id = {a["id"]: dict(a) for a in applications if a["id"] not in exclude}
    # All the reviews as one JSON document, parsed once: on 100,000 reviews this function takes ~1.2 s instead of
    # ~2.0 s with a Piccolo select and ``.output(load_json=True)`` (tests/perf/bench_scoring_db.py). ``= ANY(array)``
    # also takes any number of ids, where an IN list fails above asyncpg's 32,767 query arguments.
    loaded = await ReviewAssignment.raw(
        "SELECT json_agg(json_build_array(ra.application, ra.expert, ra.scores)) AS reviews"
        " FROM review_assignment ra JOIN application a ON a.id = ra.application"
        " WHERE a.round = {} AND ra.status = 'submitted' AND ra.application = ANY({}::integer[])",
        round_id,
        list(by_id),
    )
    reviews = [
        Review(application, expert, scores) for application, expert, scores in json.loads(loaded[0]["reviews"] or "[]")
    ]
    if not reviews:
        return None, by_id
    rules = round_rules(round_row, criteria)
    reviewed = {r.application_id for r in reviews}
    submitted_at = {a: by_id[a]["submitted_at"] for a in reviewed}
    result = aggregate_round(rules, reviews, submitted_at)
    return result, by_id


async def rerank_round(round_id: int) -> None:
    """A closed round's ranking computed again (a review left it: conflict of interest found after submission).
    Runs in the caller's transaction; only before 公示 — a published result is changed by the re-review process."""
    await RankingEntry.delete().where(RankingEntry.round == round_id)
    await rank_round(round_id)


async def rank_round(round_id: int, exclude: Collection[int] = ()) -> None:
    """Rank every reviewed application. Runs inside the officer's close-round transaction, or re-ranks a closed
    round (``rerank_round``, or after a re-review: entries deleted first; applications already ``ranked`` keep their
    status)."""
    result, applications = await aggregate(round_id, exclude)
    if result is None:
        return
    # A final scored live (scoring.roadshow): its session must have ended, and the public vote is blended in.
    live = await live_result(round_id, result)
    details = {r.application_id: r for r in result.results()}
    system = Actor.system()
    kind_workflow = await round_application_workflow(round_id)  # once, not once per application moved
    for entry in result.ranking():
        detail = details[entry.application_id]
        application = applications[entry.application_id]
        await RankingEntry.insert(
            RankingEntry(
                round=round_id,
                application=entry.application_id,
                rank=live.places[entry.application_id][0] if live else entry.rank,
                weighted_mean=exact(detail.weighted_mean),
                review_count=detail.review_count,
                methods={
                    "method": result.rules.method,
                    "score": str(exact(entry.score)),
                    "weighted_mean": str(exact(detail.weighted_mean)),
                    "median": str(exact(detail.median)),
                    "trimmed_mean": str(exact(detail.trimmed_mean)),
                    "calibrated_mean": str(detail.calibrated_mean),
                    "spread": round(detail.spread, 6),
                    **(
                        {
                            "judges_score": str(exact(entry.score)),
                            "public_votes": live.votes.get(entry.application_id, 0),
                            "vote_weight_percent": live.weight_percent,
                            "score": str(exact(live.places[entry.application_id][1])),
                        }
                        if live
                        else {}
                    ),
                },
                flags=(["too_few_reviews"] if detail.too_few_reviews else [])
                + [f"outlier_review:{expert}" for expert in detail.outlier_experts],
                track=application["track"],
                scope_district=application["scope_district"],
            )
        )
        if application["status"] == ApplicationStatus.in_review:
            await transition(Application, entry.application_id, "rank", system, workflow=kind_workflow)
