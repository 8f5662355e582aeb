"""Thin I/O around the pure aggregation: load a round's reviews, store its ranking."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from programmes.applications.repository import workflow_of
from programmes.tables import Application, Criterion
from programmes.workflows.engine import Actor, transition
from scoring.aggregation import ApplicationScores, rank_by_weighted_mean
from scoring.aggregation import Criterion as RubricCriterion
from scoring.tables import RankingEntry, ReviewAssignment


async def rubric(round_id: int) -> list[RubricCriterion]:
    rows = (
        await Criterion.select(Criterion.code, Criterion.weight, Criterion.max_score)
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
    )
    return [RubricCriterion(r["code"], r["weight"], r["max_score"]) for r in rows]


async def rank_round(round_id: int) -> None:
    """Rank every application in review. Runs inside the officer's close-round transaction."""
    criteria = await rubric(round_id)
    applications = await Application.select(Application.id, Application.submitted_at, Application.scope_district).where(
        (Application.round == round_id) & (Application.status == "in_review")
    )
    reviews = (
        await ReviewAssignment.select(ReviewAssignment.application, ReviewAssignment.scores)
        .where((ReviewAssignment.application.round == round_id) & (ReviewAssignment.status == "submitted"))
        .output(load_json=True)
    )
    by_application: dict[int, list[dict[str, int]]] = {}
    for review in reviews:
        by_application.setdefault(review["application"], []).append(review["scores"])
    ranked = rank_by_weighted_mean(
        criteria,
        [ApplicationScores(a["id"], a["submitted_at"], by_application.get(a["id"], [])) for a in applications],
    )
    district = {a["id"]: a["scope_district"] for a in applications}
    system = Actor.system()
    for entry in ranked:
        mean = Decimal(entry.weighted_mean.numerator) / Decimal(entry.weighted_mean.denominator)
        await RankingEntry.insert(
            RankingEntry(
                round=round_id,
                application=entry.application_id,
                rank=entry.rank,
                weighted_mean=mean.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN),
                review_count=entry.review_count,
                scope_district=district[entry.application_id],
            )
        )
        workflow, _ = await workflow_of(entry.application_id)
        await transition(Application, entry.application_id, workflow, "rank", system)
