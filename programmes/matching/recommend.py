"""Per-demand recommendations: the approved offers that fit a demand, ranked by the explainable score.

The candidate set is chosen in SQL, never by scanning offers in Python: approved offers (the partial index
``service_offer_matchable``) of the same field or sharing a tag (the GIN index ``service_offer_tags_gin``), that
serve the demand's district (or the whole city) and, unless the demand accepts other districts, whose organisation
is in the demand's district. The same query counts the capacity held by live orders (``match_order_offer_holding``).
Only those rows are scored (``programmes.matching.score``) with one track-record query for their organisations.

SQL orders the candidates by the part of the score it can compute (field, tags, distance, grade) and hands over
the first ``CANDIDATE_CAP``; every row handed over is scored in full. The list is exact: a row not handed over
scores at most the last handed-over row's partial score plus ``score.MAX_LATE_POINTS`` (the count-based terms at
their best), so when the top list beats that bound the search stops, and otherwise it asks for four times as many.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.timezone import today_shanghai
from programmes.matching import (
    access,  # noqa: F401 — declares the Demand policy
    score,
)
from programmes.matching.schemas_offer import RecommendationRead, RecommendationsRead, ScoreTermRead
from programmes.matching.score import DemandFacts, OfferFacts, PairRules
from programmes.matching.tables import Demand, ServiceOffer
from programmes.matching.track_record import track_records
from programmes.workflows.demand import OFFER
from programmes.workflows.orders import ORDER

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
CANDIDATE_CAP = 300


def _sql_list(values: list[str]) -> str:
    # Workflow state names are code constants (identifier-like), so they are safe as literals; literals (not
    # parameters) let the planner match the partial indexes' predicates.
    assert all(v.isidentifier() for v in values)
    return ", ".join(f"'{v}'" for v in values)


def candidate_sql() -> str:
    """The preselection (parameters in ``candidate_args``' order). Offers already serving the demand (a live order)
    are left out. The inner query picks and orders the candidates by ``partial`` (the terms SQL computes: distance,
    grade, field, tags); only the kept rows are joined for their columns and the capacity their orders hold."""
    grade_points = " ".join(f"WHEN '{g}' THEN {p}" for g, p in score.GRADE_POINTS.items())
    # Only code constants are interpolated here; every value from a request is a parameter.
    return f"""
WITH kept AS (
SELECT s.id,
       (CASE WHEN o.district = {{}} THEN CASE WHEN o.street = {{}} THEN {score.POINTS_SAME_STREET}
             ELSE {score.POINTS_SAME_DISTRICT} END ELSE {score.POINTS_CROSS_DISTRICT} END)
       + (CASE o.evaluation_grade {grade_points} ELSE 0 END)
       + (CASE WHEN s.field = {{}} THEN {score.POINTS_SAME_FIELD} ELSE 0 END)
       + {score.POINTS_PER_SHARED_TAG} * LEAST({score.MAX_SHARED_TAGS_COUNTED},
             cardinality(ARRAY(SELECT unnest(s.tags) INTERSECT SELECT unnest({{}}::varchar[])))) AS partial
  FROM service_offer s
  JOIN organisation o ON o.id = s.organisation
 WHERE s.status IN ({_sql_list(OFFER.states_with("matchable"))})
   AND (s.field = {{}} OR s.tags && {{}}::varchar[])
   AND (s.city_wide OR {{}} = ANY(s.districts_served))
   AND (o.district = {{}} OR {{}})
   AND NOT EXISTS (SELECT 1 FROM match_order live WHERE live.demand = {{}} AND live.offer = s.id
                   AND live.status IN ({_sql_list(ORDER.states_with("holds_demand"))}))
 ORDER BY partial DESC, s.id
 LIMIT {{}}
)
SELECT s.id, s.organisation, s.field, s.tags, s.title, s.city_wide, s.districts_served, s.capacity,
       s.price_min_fen, s.price_max_fen, kept.partial,
       o.name AS organisation_name, o.district AS organisation_district, o.street AS organisation_street,
       o.org_type, o.serves_street, o.evaluation_grade, o.grade_valid_until,
       (SELECT count(*) FROM match_order m
         WHERE m.offer = s.id AND m.status IN ({_sql_list(ORDER.states_with("holds_capacity"))})) AS held
  FROM kept
  JOIN service_offer s ON s.id = kept.id
  JOIN organisation o ON o.id = s.organisation
 ORDER BY kept.partial DESC, s.id
"""  # noqa: S608


def candidate_args(demand: dict[str, Any], cap: int) -> list[Any]:
    """The placeholders' values in the order they appear in ``candidate_sql``."""
    tags = list(demand["tags"] or [])
    district = demand["district"]
    return [district, demand["street"], demand["field"], tags, demand["field"], tags, district, district,
            demand["cross_district"], demand["id"], cap]  # fmt: skip


def demand_facts(demand: dict[str, Any]) -> DemandFacts:
    return DemandFacts(
        demand_id=int(demand["id"]),
        field=demand["field"],
        tags=frozenset(demand["tags"] or []),
        district=demand["district"],
        street=demand["street"],
        cross_district=bool(demand["cross_district"]),
        budget_min_fen=demand["budget_min_fen"],
        budget_max_fen=demand["budget_max_fen"],
    )


def offer_facts(row: dict[str, Any], track: score.TrackRecord, today: date) -> OfferFacts:
    valid_grade = (
        row["evaluation_grade"] if row["grade_valid_until"] is None or row["grade_valid_until"] >= today else None
    )
    return OfferFacts(
        offer_id=int(row["id"]),
        organisation_id=int(row["organisation"]),
        field=row["field"],
        tags=frozenset(row["tags"] or []),
        city_wide=bool(row["city_wide"]),
        districts_served=frozenset(row["districts_served"] or []),
        organisation_district=row["organisation_district"],
        organisation_street=row["organisation_street"] or "",
        organisation_type=row["org_type"],
        free=int(row["capacity"]) - int(row["held"]),
        grade=valid_grade if valid_grade in score.GRADE_POINTS else None,
        centre_of=(row["organisation_district"], row["serves_street"]) if row["serves_street"] else None,
        track=track,
        price_min_fen=row["price_min_fen"],
        price_max_fen=row["price_max_fen"],
    )


async def rank(demand: dict[str, Any], limit: int, rules: PairRules = PairRules()) -> list[RecommendationRead]:
    """The top ``limit`` allowed pairs for ``demand`` (a Demand row), best first, ties by offer id."""
    facts = demand_facts(demand)
    today = today_shanghai()
    cap = CANDIDATE_CAP
    while True:
        rows = [dict(r) for r in await ServiceOffer.raw(candidate_sql(), *candidate_args(demand, cap))]
        records = await track_records(int(r["organisation"]) for r in rows)
        scored = []
        for row in rows:
            verdict = score.assess(facts, offer_facts(row, records[int(row["organisation"])], today), rules)
            if verdict.excluded is None:  # e.g. no capacity left: fits, but not recommendable now
                scored.append((verdict, row))
        scored.sort(key=lambda pair: (-pair[0].score, pair[0].offer_id))
        if len(rows) < cap:
            break  # every candidate was scored
        # A row left out scores at most the last kept row's partial plus every count-based term at its best; when
        # the top list already beats that, nothing left out can enter it. Otherwise look further.
        ceiling = int(rows[-1]["partial"]) + score.MAX_LATE_POINTS
        if len(scored) >= limit and scored[limit - 1][0].score > ceiling:
            break
        cap *= 4
    return [
        RecommendationRead(
            offer_id=verdict.offer_id,
            organisation_id=int(row["organisation"]),
            organisation_name=row["organisation_name"],
            title=row["title"],
            score=verdict.score,
            terms=[
                ScoreTermRead(
                    name=name,
                    label_zh=score.TERM_LABELS_ZH[name],
                    points=verdict.terms[name],
                    detail_zh=verdict.details.get(name, ""),
                )
                for name in score.TERMS
            ],
            explanation_zh=score.explain(verdict.terms, verdict.details),
        )
        for verdict, row in scored[:limit]
    ]


async def recommendations(principal: Principal, demand_id: int, top: int = DEFAULT_LIMIT) -> RecommendationsRead:
    """For the community that owns the demand, or staff in its scope (anyone else: the uniform 404)."""
    demand = await load(principal, Demand, demand_id, "reader")
    top = min(max(top, 1), MAX_LIMIT)
    return RecommendationsRead(demand_id=demand_id, top=top, recommendations=await rank(demand, top))
