"""A session's matching problem, loaded from the database in bulk: a fixed number of queries whatever its size.

- demands: ``takeable`` in the session's district (every district for a city session), each wanting
  providers_wanted − its live (``holds_demand``) orders; demands wanting nothing more are left out;
- offers: ``matchable``, with free = capacity − the orders holding it (``holds_capacity``), their organisation's
  facts and track record (one aggregate query);
- pairs: preselected in SQL — same field or a shared tag (GIN), the offer serves the demand's district (or the
  whole city), its organisation is in the demand's district unless the demand accepts other districts — and then
  assessed by ``programmes.matching.score`` with the session's rules (专场 tags / organisation types, the demand's own
  street centre). A pair with a live or declined order is never proposed again: a re-match works on the
  remainder and leaves every existing order untouched.
- explanations: a demand whose every preselected pair a rule excluded is ``forbidden`` with that rule; a demand
  with no preselected pair, but an approved offer of its field or tags elsewhere, is ``forbidden`` as out of area.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from app.errors import conflict, invalid
from app.reference import District
from app.timezone import today_shanghai
from programmes.matching import score
from programmes.matching.problem import Candidate, DemandSlot, OfferSlot, Problem
from programmes.matching.recommend import demand_facts, offer_facts
from programmes.matching.score import DemandFacts, OfferFacts, PairRules
from programmes.matching.tables import MatchOrder
from programmes.matching.track_record import track_records
from programmes.workflows.demand import DEMAND, OFFER
from programmes.workflows.orders import ORDER

DEFAULT_UNMATCHED_PENALTY = 0
# A session counts an offer's matched orders too (awaiting 接单): a re-match must not promise their units again.
PROMISED = [*ORDER.states_with("holds_capacity"), "matched"]
# Pairs never proposed again: a live order (it would be a second one) or one the organisation declined. A cancelled
# pair (cancelled by the community or staff, or withdrawn by Seedbed once its demand was filled) may come back.
NOT_AGAIN = [*ORDER.states_with("holds_demand"), "declined"]


def states_sql(values: list[str]) -> str:
    # Workflow state names are code constants; as literals they let the planner use the partial indexes.
    assert all(v.isidentifier() for v in values)
    return ", ".join(f"'{v}'" for v in values)


def _demand_sql() -> str:
    return f"""
SELECT d.id, d.field, d.tags, d.district, d.street, d.cross_district, d.budget_min_fen, d.budget_max_fen,
       d.providers_wanted - (SELECT count(*) FROM match_order m
                              WHERE m.demand = d.id AND m.status IN ({states_sql(ORDER.states_with("holds_demand"))}))
         AS wanted
  FROM demand d
 WHERE d.status IN ({states_sql(DEMAND.states_with("takeable"))}) AND ({{}}::varchar IS NULL OR d.district = {{}})
"""  # noqa: S608 — only code constants are interpolated


def _offer_sql() -> str:
    return f"""
SELECT s.id, s.organisation, s.field, s.tags, s.city_wide, s.districts_served, s.capacity,
       s.price_min_fen, s.price_max_fen,
       o.district AS organisation_district, o.street AS organisation_street, o.org_type, o.serves_street,
       o.evaluation_grade, o.grade_valid_until,
       (SELECT count(*) FROM match_order m WHERE m.offer = s.id AND m.status IN ({states_sql(PROMISED)})) AS held
  FROM service_offer s
  JOIN organisation o ON o.id = s.organisation
 WHERE s.status IN ({states_sql(OFFER.states_with("matchable"))})
"""  # noqa: S608


def _pair_sql() -> str:
    # Each offer is spread over the districts it serves (every district when city-wide), so the join on the district
    # is a hash join, and only the pairs of one district are compared on field and tags — not demands × offers.
    # Parameters: the session's district (NULL: the city) twice, then every district's code.
    return f"""
SELECT d.id AS demand, s.id AS offer
  FROM demand d
  JOIN (SELECT s.id, s.organisation, s.field, s.tags,
               unnest(CASE WHEN s.city_wide THEN {{}}::varchar[] ELSE s.districts_served END) AS served
          FROM service_offer s
         WHERE s.status IN ({states_sql(OFFER.states_with("matchable"))})) s
    ON s.served = d.district AND (s.field = d.field OR s.tags && d.tags)
  JOIN organisation o ON o.id = s.organisation AND (o.district = d.district OR d.cross_district)
 WHERE d.status IN ({states_sql(DEMAND.states_with("takeable"))}) AND ({{}}::varchar IS NULL OR d.district = {{}})
   AND NOT EXISTS (SELECT 1 FROM match_order m
                    WHERE m.demand = d.id AND m.offer = s.id AND m.status IN ({states_sql(NOT_AGAIN)}))
"""  # noqa: S608


def pair_args(district: str | None) -> list[Any]:
    return [[d.value for d in District], district, district]


def _fitting_elsewhere_sql() -> str:
    return f"""
SELECT d.id FROM demand d
 WHERE d.id = ANY({{}}::int[]) AND EXISTS (
       SELECT 1 FROM service_offer s
        WHERE s.status IN ({states_sql(OFFER.states_with("matchable"))}) AND (s.field = d.field OR s.tags && d.tags)
          AND NOT EXISTS (SELECT 1 FROM match_order m
                           WHERE m.demand = d.id AND m.offer = s.id AND m.status IN ({states_sql(NOT_AGAIN)})))
"""  # noqa: S608


@dataclass(frozen=True)
class Loaded:
    """The problem and what the session service needs to check a hand-made pair against the same rules."""

    problem: Problem
    demands: dict[int, DemandFacts]
    offers: dict[int, OfferFacts]
    rules: PairRules


def session_rules(session: dict[str, Any]) -> PairRules:
    rules = session["rules"] or {}
    return PairRules(
        forbid_own_street_centre=bool(rules.get("forbid_own_street_centre", False)),
        required_tags=frozenset(session["required_tags"] or []),
        organisation_types=frozenset(session["organisation_types"] or []),
    )


def unmatched_penalty(session: dict[str, Any]) -> int:
    return int((session["rules"] or {}).get("unmatched_penalty", DEFAULT_UNMATCHED_PENALTY))


async def load_problem(session: dict[str, Any]) -> Loaded:
    """Five queries: demands, offers, preselected pairs, track records, and the out-of-area check."""
    district = session["scope_district"]
    demand_rows = [dict(r) for r in await MatchOrder.raw(_demand_sql(), district, district)]
    demand_rows = [r for r in demand_rows if r["wanted"] > 0]
    offer_rows = [dict(r) for r in await MatchOrder.raw(_offer_sql())]
    records = await track_records(int(r["organisation"]) for r in offer_rows)
    today = today_shanghai()
    demands = {int(r["id"]): demand_facts(r) for r in demand_rows}
    offers = {int(r["id"]): offer_facts(r, records[int(r["organisation"])], today) for r in offer_rows}
    rules = session_rules(session)

    candidates: list[Candidate] = []
    exclusions: dict[int, Counter[str]] = {}
    paired: set[int] = set()
    for pair in await MatchOrder.raw(_pair_sql(), *pair_args(district)):
        demand, offer = demands.get(pair["demand"]), offers.get(pair["offer"])
        if demand is None or offer is None:
            continue  # a demand wanting nothing more
        paired.add(demand.demand_id)
        verdict = score.assess(demand, offer, rules)
        if verdict.excluded == score.NO_CAPACITY:
            # A candidate all the same, on an offer with no unit free: the solver explains the demand as
            # capacity_taken (held by earlier orders) rather than forbidden by a rule.
            verdict = score.assess(demand, replace(offer, free=1), rules)
        if verdict.excluded is None:
            candidates.append(verdict.candidate())
        else:
            exclusions.setdefault(demand.demand_id, Counter())[verdict.excluded] += 1
    with_candidates = {c.demand_id for c in candidates}
    forbidden = {
        demand_id: counts.most_common(1)[0][0]
        for demand_id, counts in exclusions.items()
        if demand_id not in with_candidates
    }
    lonely = sorted(set(demands) - paired)
    if lonely:
        for row in await MatchOrder.raw(_fitting_elsewhere_sql(), lonely):
            forbidden[int(row["id"])] = score.OUT_OF_AREA
    problem = Problem(
        demands=tuple(DemandSlot(d, int(r["wanted"])) for d, r in ((int(r["id"]), r) for r in demand_rows)),
        offers=tuple(OfferSlot(o.offer_id, max(o.free, 0)) for o in offers.values()),
        candidates=tuple(candidates),
        unmatched_penalty=unmatched_penalty(session),
        forbidden=forbidden,
    )
    return Loaded(problem, demands, offers, rules)


async def load_pair(session: dict[str, Any], demand_id: int, offer_id: int) -> tuple[DemandFacts, int, OfferFacts]:
    """One hand-made pair's facts (the demand, its wanted units, the offer), by the same queries as the problem."""
    district = session["scope_district"]
    demand_rows = await MatchOrder.raw(_demand_sql() + " AND d.id = {}", district, district, demand_id)
    if not demand_rows or demand_rows[0]["wanted"] <= 0:
        raise invalid("pair_demand_unavailable", "该需求不在本次对接范围内，或已有足够的服务方", "demand_id")
    offer_rows = await MatchOrder.raw(_offer_sql() + " AND s.id = {}", offer_id)
    if not offer_rows:
        raise invalid("pair_offer_unavailable", "该服务项目不存在或未入库（不可对接）", "offer_id")
    if await MatchOrder.exists().where(
        MatchOrder.demand == demand_id, MatchOrder.offer == offer_id, MatchOrder.status.is_in(NOT_AGAIN)
    ):
        raise conflict("pair_has_order", "该需求与服务项目已有订单或已被机构婉拒，不能再次对接")
    offer = dict(offer_rows[0])
    records = await track_records([int(offer["organisation"])])
    facts = offer_facts(offer, records[int(offer["organisation"])], today_shanghai())
    return demand_facts(dict(demand_rows[0])), int(demand_rows[0]["wanted"]), facts
