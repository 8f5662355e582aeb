"""The pure score: each term, the exclusion rules, explanations, and properties over random facts."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from programmes.matching import score
from programmes.matching.score import DemandFacts, OfferFacts, PairRules, TrackRecord

DEMAND = DemandFacts(
    demand_id=1,
    field="governance",
    tags=frozenset({"elderly", "digital"}),
    district="changning",
    street="华阳路街道",
    cross_district=False,
)
OFFER = OfferFacts(
    offer_id=7,
    organisation_id=3,
    field="governance",
    tags=frozenset({"elderly"}),
    city_wide=False,
    districts_served=frozenset({"changning"}),
    organisation_district="changning",
    organisation_street="华阳路街道",
    organisation_type="social_service_institution",
    free=2,
)


def test_a_plain_pair_scores_every_term() -> None:
    result = score.assess(DEMAND, OFFER)
    assert result.excluded is None
    assert dict(result.terms) == {
        "tag_overlap": 10,
        "field": 20,
        "distance": 20,
        "grade": 0,
        "track_record": 0,
        "capacity": 4,
        "price_fit": 15,  # in-kind demand, free offer
    }
    assert result.score == 69
    assert result.candidate().score == 69


def test_tags_count_up_to_three() -> None:
    many = frozenset({"a", "b", "c", "d"})
    result = score.assess(replace(DEMAND, tags=many), replace(OFFER, tags=many))
    assert result.terms["tag_overlap"] == 30


def test_distance_prefers_same_street_then_district_then_cross_district() -> None:
    same_street = score.assess(DEMAND, OFFER).terms["distance"]
    same_district = score.assess(DEMAND, replace(OFFER, organisation_street="江苏路街道")).terms["distance"]
    elsewhere = replace(OFFER, organisation_district="xuhui", organisation_street="天平路街道")
    cross = score.assess(replace(DEMAND, cross_district=True), elsewhere).terms["distance"]
    assert same_street > same_district > cross > 0
    assert score.exclusion(DEMAND, elsewhere) == score.OUT_OF_AREA  # cross-district not allowed: excluded


def test_grade_and_track_record() -> None:
    graded = score.assess(DEMAND, replace(OFFER, grade="5A")).terms["grade"]
    assert graded == 15 > score.assess(DEMAND, replace(OFFER, grade="3A")).terms["grade"] == 9
    good = TrackRecord(delivered=8, evaluated=6, average_tenths=48, on_time_percent=100)
    poor = TrackRecord(delivered=2, evaluated=2, average_tenths=15, on_time_percent=50)
    assert score.assess(DEMAND, replace(OFFER, track=good)).terms["track_record"] == 5 + 9 + 5
    assert score.assess(DEMAND, replace(OFFER, track=poor)).terms["track_record"] == 2 - 8 + 2


def test_price_fit_against_the_budget() -> None:
    budgeted = replace(DEMAND, budget_min_fen=100_000, budget_max_fen=500_000)
    in_budget = replace(OFFER, price_min_fen=300_000, price_max_fen=800_000)
    over = replace(OFFER, price_min_fen=600_000, price_max_fen=None)
    assert score.assess(budgeted, in_budget).terms["price_fit"] == 15
    assert score.assess(budgeted, over).terms["price_fit"] == -15
    assert score.assess(budgeted, OFFER).terms["price_fit"] == 10  # free offer on a budgeted demand
    assert score.assess(DEMAND, in_budget).terms["price_fit"] == -10  # in-kind demand prefers free offers


def test_exclusion_rules() -> None:
    assert score.exclusion(DEMAND, replace(OFFER, field="culture_sports", tags=frozenset())) == score.NOT_FITTING
    assert score.exclusion(DEMAND, replace(OFFER, districts_served=frozenset({"xuhui"}))) == score.OUT_OF_AREA
    assert score.exclusion(DEMAND, replace(OFFER, city_wide=True, districts_served=frozenset())) is None
    assert score.exclusion(DEMAND, replace(OFFER, free=0)) == score.NO_CAPACITY
    centre = replace(OFFER, centre_of=("changning", "华阳路街道"))
    assert score.exclusion(DEMAND, centre) is None  # only a session rule forbids it
    assert score.exclusion(DEMAND, centre, PairRules(forbid_own_street_centre=True)) == score.OWN_STREET_CENTRE
    other_centre = replace(OFFER, centre_of=("changning", "江苏路街道"))
    assert score.exclusion(DEMAND, other_centre, PairRules(forbid_own_street_centre=True)) is None
    special = PairRules(required_tags=frozenset({"community_org"}))
    assert score.exclusion(DEMAND, OFFER, special) == score.SESSION_TAG
    assert score.exclusion(DEMAND, replace(OFFER, tags=frozenset({"elderly", "community_org"})), special) is None
    by_type = PairRules(organisation_types=frozenset({"filed_community_group"}))
    assert score.exclusion(DEMAND, OFFER, by_type) == score.SESSION_ORG_TYPE


def test_excluded_pairs_carry_a_zh_reason_and_no_terms() -> None:
    result = score.assess(DEMAND, replace(OFFER, free=0))
    assert result.excluded == "no_capacity" and not result.terms
    assert result.details["excluded"] == "服务项目已无剩余承接能力"
    assert set(score.EXCLUSION_ZH) == {
        "not_fitting",
        "out_of_area",
        "no_capacity",
        "own_street_centre",
        "session_tag",
        "session_org_type",
    }


def test_explain_gives_one_zh_line_per_term_in_order() -> None:
    result = score.assess(DEMAND, replace(OFFER, grade="4A"))
    lines = score.explain(result.terms, result.details)
    assert len(lines) == len(score.TERMS)
    assert lines[0] == "标签重合：+10（共同标签 1 个）"
    assert lines[3] == "评估等级：+12（评估等级 4A）"
    assert score.explain({"price_fit": -10}) == ["价格匹配：-10"]


districts = st.sampled_from(["changning", "xuhui", "pudong"])
streets = st.sampled_from(["甲街道", "乙街道", ""])
tag_sets = st.frozensets(st.sampled_from(["a", "b", "c", "d", "community_org"]), max_size=4)
money = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000_000))

demand_facts = st.builds(
    DemandFacts,
    demand_id=st.just(1),
    field=st.sampled_from(["governance", "livelihood"]),
    tags=tag_sets,
    district=districts,
    street=streets,
    cross_district=st.booleans(),
    budget_min_fen=money,
    budget_max_fen=money,
)
offer_facts = st.builds(
    OfferFacts,
    offer_id=st.just(2),
    organisation_id=st.just(3),
    field=st.sampled_from(["governance", "livelihood"]),
    tags=tag_sets,
    city_wide=st.booleans(),
    districts_served=st.frozensets(districts),
    organisation_district=districts,
    organisation_street=streets,
    organisation_type=st.sampled_from(["foundation", "filed_community_group"]),
    free=st.integers(min_value=0, max_value=1000),
    grade=st.sampled_from([None, "1A", "3A", "5A"]),
    track=st.builds(
        TrackRecord,
        delivered=st.integers(0, 50),
        evaluated=st.integers(0, 50),
        average_tenths=st.one_of(st.none(), st.integers(10, 50)),
        on_time_percent=st.one_of(st.none(), st.integers(0, 100)),
    ),
    price_min_fen=money,
    price_max_fen=money,
)


@given(demand_facts, offer_facts)
def test_properties_score_is_the_sum_of_named_bounded_terms(demand: DemandFacts, offer: OfferFacts) -> None:
    result = score.assess(demand, offer)
    if result.excluded is not None:
        assert result.excluded in score.EXCLUSION_ZH and not result.terms
        return
    assert set(result.terms) == set(score.TERMS)
    assert result.score == sum(result.terms.values())
    assert -35 <= result.score <= 30 + 20 + 20 + 15 + 20 + 10 + 15
    assert len(score.explain(result.terms, result.details)) == len(score.TERMS)


@given(demand_facts, offer_facts)
def test_properties_more_capacity_or_a_better_grade_never_scores_lower(demand: DemandFacts, offer: OfferFacts) -> None:
    base = score.assess(demand, offer)
    if base.excluded is not None:
        return
    assert score.assess(demand, replace(offer, free=offer.free + 1)).score >= base.score
    assert score.assess(demand, replace(offer, grade="5A")).score >= base.score


@given(demand_facts, offer_facts)
def test_properties_a_session_rule_only_ever_removes_pairs(demand: DemandFacts, offer: OfferFacts) -> None:
    strict = PairRules(forbid_own_street_centre=True, required_tags=frozenset({"community_org"}))
    if score.exclusion(demand, offer) is not None:
        assert score.exclusion(demand, offer, strict) is not None
