"""The explainable score of a (demand, offer) pair, and the rules that exclude a pair.

Pure: plain facts in, integer points out — no database, web or clock (the caller decides whether a grade is still
valid and counts the track record). Used by per-demand recommendations (``programmes.matching.recommend``) and by
the session solver's input (``programmes.matching.problem``). Integer points keep the solver's optimum exact.

Every term is named (``TERM_*``), stored with the pair (``SessionPair.terms``) and explained in zh-CN by
``explain()``, so an officer or a community can see why a pair ranks where it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as default

from programmes.matching.problem import Candidate

# ---- terms (stable names; the weights below are the whole policy) ----
TERM_TAGS = "tag_overlap"
TERM_FIELD = "field"
TERM_DISTANCE = "distance"
TERM_GRADE = "grade"
TERM_TRACK = "track_record"
TERM_CAPACITY = "capacity"
TERM_PRICE = "price_fit"
TERMS: tuple[str, ...] = (TERM_TAGS, TERM_FIELD, TERM_DISTANCE, TERM_GRADE, TERM_TRACK, TERM_CAPACITY, TERM_PRICE)

TERM_LABELS_ZH: dict[str, str] = {
    TERM_TAGS: "标签重合",
    TERM_FIELD: "领域一致",
    TERM_DISTANCE: "距离",
    TERM_GRADE: "评估等级",
    TERM_TRACK: "履约记录",
    TERM_CAPACITY: "剩余承接能力",
    TERM_PRICE: "价格匹配",
}

POINTS_PER_SHARED_TAG = 10
MAX_SHARED_TAGS_COUNTED = 3  # beyond three shared tags a pair is not meaningfully closer
POINTS_SAME_FIELD = 20
POINTS_SAME_STREET = 20
POINTS_SAME_DISTRICT = 12
POINTS_CROSS_DISTRICT = 4
GRADE_POINTS: dict[str, int] = {"5A": 15, "4A": 12, "3A": 9, "2A": 6, "1A": 3}
MAX_DELIVERED_COUNTED = 5
MAX_CAPACITY_COUNTED = 5
POINTS_PER_FREE_UNIT = 2
POINTS_PRICE_IN_BUDGET = 15
POINTS_FREE_FOR_BUDGET = 10  # a free offer serves a budgeted demand too, but the budget says money was expected
POINTS_FREE_FOR_IN_KIND = 15
POINTS_PRICED_FOR_IN_KIND = -10  # in-kind demands (no budget) prefer free offers
POINTS_OVER_BUDGET = -15
# The most the terms computed from counts (track record, capacity, price fit) can add: what a preselection that
# orders by the other terms must allow for before it may stop (programmes.matching.recommend).
MAX_TRACK_POINTS = MAX_DELIVERED_COUNTED + 10 + 5
MAX_LATE_POINTS = MAX_TRACK_POINTS + POINTS_PER_FREE_UNIT * MAX_CAPACITY_COUNTED + POINTS_PRICE_IN_BUDGET

# ---- why a pair is excluded (stable codes; zh-CN in EXCLUSION_ZH) ----
NOT_FITTING = "not_fitting"  # neither the field nor a tag in common: not a candidate at all
OUT_OF_AREA = "out_of_area"  # the offer does not serve the demand's district, or cross-district is not allowed
NO_CAPACITY = "no_capacity"  # the offer has no free capacity
OWN_STREET_CENTRE = "own_street_centre"  # a session rule forbids the demand's own street service centre
SESSION_TAG = "session_tag"  # 专场: the offer carries none of the session's required tags
SESSION_ORG_TYPE = "session_org_type"  # 专场: the organisation's type is not among the session's

EXCLUSION_ZH: dict[str, str] = {
    NOT_FITTING: "领域与标签均不符",
    OUT_OF_AREA: "服务区域不含需求所在区，或需求不接受外区组织",
    NO_CAPACITY: "服务项目已无剩余承接能力",
    OWN_STREET_CENTRE: "本场规则排除需求所在街镇的社会组织服务中心（利益冲突）",
    SESSION_TAG: "服务项目不含本专场要求的标签",
    SESSION_ORG_TYPE: "组织类型不在本专场范围内",
}


@dataclass(frozen=True)
class DemandFacts:
    demand_id: int
    field: str
    tags: frozenset[str]
    district: str
    street: str
    cross_district: bool  # organisations from other districts may take it
    budget_min_fen: int | None = None  # both None: in-kind (no budget)
    budget_max_fen: int | None = None

    @property
    def in_kind(self) -> bool:
        return self.budget_min_fen is None and self.budget_max_fen is None


@dataclass(frozen=True)
class TrackRecord:
    """Computed from orders and evaluations (``programmes.matching.track_record``), never typed."""

    delivered: int = 0  # orders delivered or evaluated
    evaluated: int = 0
    average_tenths: int | None = None  # average overall rating ×10 (1..5 → 10..50); None: no evaluation yet
    on_time_percent: int | None = None  # share of delivered orders delivered on time; None: none delivered


@dataclass(frozen=True)
class OfferFacts:
    offer_id: int
    organisation_id: int
    field: str
    tags: frozenset[str]
    city_wide: bool
    districts_served: frozenset[str]
    organisation_district: str
    organisation_street: str
    organisation_type: str
    free: int  # capacity minus orders holding it
    grade: str | None = None  # a VALID 评估等级 ("1A".."5A"), or None
    # (district, street) when the organisation is that street's 社会组织服务中心
    centre_of: tuple[str, str] | None = None
    track: TrackRecord = default(default_factory=TrackRecord)
    price_min_fen: int | None = None  # both None: free (公益无偿)
    price_max_fen: int | None = None

    @property
    def free_of_charge(self) -> bool:
        return self.price_min_fen is None and self.price_max_fen is None


@dataclass(frozen=True)
class PairRules:
    """A session's rules (a recommendation uses the defaults)."""

    forbid_own_street_centre: bool = False
    required_tags: frozenset[str] = frozenset()  # 专场: the offer must carry one of these
    organisation_types: frozenset[str] = frozenset()  # 专场: only these organisation types


@dataclass(frozen=True)
class Assessment:
    """A pair's verdict: excluded with a reason code, or scored term by term (with zh-CN detail per term)."""

    demand_id: int
    offer_id: int
    excluded: str | None
    terms: Mapping[str, int] = default(default_factory=dict)
    details: Mapping[str, str] = default(default_factory=dict)

    @property
    def score(self) -> int:
        return sum(self.terms.values())

    def candidate(self) -> Candidate:
        assert self.excluded is None, "an excluded pair is not a candidate"
        return Candidate(self.demand_id, self.offer_id, self.score, dict(self.terms))


def fits(demand: DemandFacts, offer: OfferFacts) -> bool:
    """The precondition for being a candidate: same field or a shared tag (what SQL preselects)."""
    return demand.field == offer.field or bool(demand.tags & offer.tags)


def exclusion(demand: DemandFacts, offer: OfferFacts, rules: PairRules = PairRules()) -> str | None:
    """The first rule that forbids the pair, or None. Order matters only for which reason is reported."""
    if not fits(demand, offer):
        return NOT_FITTING
    if rules.required_tags and not (offer.tags & rules.required_tags):
        return SESSION_TAG
    if rules.organisation_types and offer.organisation_type not in rules.organisation_types:
        return SESSION_ORG_TYPE
    if not (offer.city_wide or demand.district in offer.districts_served):
        return OUT_OF_AREA
    if offer.organisation_district != demand.district and not demand.cross_district:
        return OUT_OF_AREA
    if rules.forbid_own_street_centre and offer.centre_of == (demand.district, demand.street):
        return OWN_STREET_CENTRE
    if offer.free <= 0:
        return NO_CAPACITY
    return None


def assess(demand: DemandFacts, offer: OfferFacts, rules: PairRules = PairRules()) -> Assessment:
    reason = exclusion(demand, offer, rules)
    if reason is not None:
        return Assessment(demand.demand_id, offer.offer_id, reason, details={"excluded": EXCLUSION_ZH[reason]})
    scored = (
        (TERM_TAGS, _tags(demand, offer)),
        (TERM_FIELD, _field(demand, offer)),
        (TERM_DISTANCE, _distance(demand, offer)),
        (TERM_GRADE, _grade(offer)),
        (TERM_TRACK, _track(offer.track)),
        (TERM_CAPACITY, _capacity(offer)),
        (TERM_PRICE, _price(demand, offer)),
    )
    return Assessment(
        demand.demand_id,
        offer.offer_id,
        None,
        terms={name: points for name, (points, _) in scored},
        details={name: why for name, (_, why) in scored},
    )


def explain(terms: Mapping[str, int], details: Mapping[str, str] | None = None) -> list[str]:
    """One zh-CN line per term, in the fixed term order, e.g. ``标签重合：+20（共同标签 2 个）``."""
    lines = []
    for name in TERMS:
        if name not in terms:
            continue
        line = f"{TERM_LABELS_ZH[name]}：{terms[name]:+d}"
        if details and details.get(name):
            line += f"（{details[name]}）"
        lines.append(line)
    return lines


# ---- the terms: each returns (points, zh-CN detail) ----


def _tags(demand: DemandFacts, offer: OfferFacts) -> tuple[int, str]:
    shared = len(demand.tags & offer.tags)
    points = POINTS_PER_SHARED_TAG * min(shared, MAX_SHARED_TAGS_COUNTED)
    return points, f"共同标签 {shared} 个" if shared else "无共同标签"


def _field(demand: DemandFacts, offer: OfferFacts) -> tuple[int, str]:
    if demand.field == offer.field:
        return POINTS_SAME_FIELD, "服务领域与需求一致"
    return 0, "服务领域不同，仅标签相符"


def _distance(demand: DemandFacts, offer: OfferFacts) -> tuple[int, str]:
    if offer.organisation_district == demand.district:
        if offer.organisation_street and offer.organisation_street == demand.street:
            return POINTS_SAME_STREET, "同一街镇"
        return POINTS_SAME_DISTRICT, "同一区"
    return POINTS_CROSS_DISTRICT, "跨区承接（需求允许）"


def _grade(offer: OfferFacts) -> tuple[int, str]:
    points = GRADE_POINTS.get(offer.grade or "", 0)
    return points, f"评估等级 {offer.grade}" if points else "无有效评估等级"


def _track(track: TrackRecord) -> tuple[int, str]:
    """Experience (0..5) + rating (−10..+10 around an average of 3) + punctuality (0..5); no history is neutral."""
    if track.delivered == 0 and track.average_tenths is None:
        return 0, "暂无履约记录"
    experience = min(track.delivered, MAX_DELIVERED_COUNTED)
    rating = 0 if track.average_tenths is None else (track.average_tenths - 30) // 2
    punctuality = 0 if track.on_time_percent is None else track.on_time_percent // 20
    parts = [f"已交付 {track.delivered} 单"]
    if track.average_tenths is not None:
        parts.append(f"平均评分 {track.average_tenths / 10:.1f}")
    if track.on_time_percent is not None:
        parts.append(f"按期 {track.on_time_percent}%")
    return experience + rating + punctuality, "，".join(parts)


def _capacity(offer: OfferFacts) -> tuple[int, str]:
    return POINTS_PER_FREE_UNIT * min(offer.free, MAX_CAPACITY_COUNTED), f"剩余 {offer.free} 个名额"


def _price(demand: DemandFacts, offer: OfferFacts) -> tuple[int, str]:
    if demand.in_kind:
        if offer.free_of_charge:
            return POINTS_FREE_FOR_IN_KIND, "无资金需求，公益无偿服务"
        return POINTS_PRICED_FOR_IN_KIND, "无资金需求，服务收费"
    if offer.free_of_charge:
        return POINTS_FREE_FOR_BUDGET, "公益无偿服务"
    budget_max = demand.budget_max_fen if demand.budget_max_fen is not None else demand.budget_min_fen
    offer_min = offer.price_min_fen if offer.price_min_fen is not None else offer.price_max_fen
    assert budget_max is not None and offer_min is not None  # neither side is free/in-kind here
    if offer_min <= budget_max:
        return POINTS_PRICE_IN_BUDGET, "报价在预算范围内"
    return POINTS_OVER_BUDGET, "最低报价超出预算上限"
