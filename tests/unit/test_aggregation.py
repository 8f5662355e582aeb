from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from scoring.aggregation import (
    ApplicationScores,
    Criterion,
    RankedApplication,
    Review,
    RoundAggregate,
    RoundRules,
    aggregate_round,
    rank_by_weighted_mean,
    review_score,
    validate_scores,
    weighted_mean,
)
from scoring.cut_line import Quota, select_advancing
from scoring.reliability import order_key

CRITERIA = [Criterion("innovation", 40, 100), Criterion("feasibility", 60, 100)]
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_review_score_is_the_weighted_mean() -> None:
    # (40·80 + 60·90) / 100 = 86
    assert review_score(CRITERIA, {"innovation": 80, "feasibility": 90}) == 86


def test_weighted_mean_is_exact() -> None:
    # reviews 86 and (40·71 + 60·70)/100 = 70.4 → mean 78.2 exactly, no float drift
    mean = weighted_mean(CRITERIA, [{"innovation": 80, "feasibility": 90}, {"innovation": 71, "feasibility": 70}])
    assert mean == Fraction(782, 10)
    assert weighted_mean(CRITERIA, []) is None


def test_ranking_orders_by_mean_then_submission_then_id() -> None:
    apps = [
        ApplicationScores(1, T0 + timedelta(hours=2), [{"innovation": 50, "feasibility": 50}]),
        ApplicationScores(2, T0 + timedelta(hours=1), [{"innovation": 90, "feasibility": 90}]),
        ApplicationScores(3, T0, [{"innovation": 50, "feasibility": 50}]),  # ties 1 on score, submitted earlier
        ApplicationScores(4, T0, []),  # unreviewed: not ranked
    ]
    ranked = rank_by_weighted_mean(CRITERIA, apps)
    assert [(r.rank, r.application_id) for r in ranked] == [(1, 2), (2, 3), (3, 1)]


def test_full_ties_share_a_rank() -> None:
    apps = [
        ApplicationScores(7, T0, [{"innovation": 60, "feasibility": 60}]),
        ApplicationScores(5, T0, [{"innovation": 60, "feasibility": 60}]),
        ApplicationScores(9, T0, [{"innovation": 10, "feasibility": 10}]),
    ]
    ranked = rank_by_weighted_mean(CRITERIA, apps)
    assert [(r.rank, r.application_id) for r in ranked] == [(1, 5), (1, 7), (3, 9)]


def test_float_summation_order_cannot_change_the_ranking() -> None:
    # 0.1 + 0.2 style drift: weights 1/3 each; means compare equal exactly.
    thirds = [Criterion("a", 1, 10), Criterion("b", 1, 10), Criterion("c", 1, 10)]
    apps = [
        ApplicationScores(1, T0, [{"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": 1}]),
        ApplicationScores(2, T0, [{"a": 2, "b": 2, "c": 2}]),
    ]
    ranked = rank_by_weighted_mean(thirds, apps)
    assert ranked[0].weighted_mean == ranked[1].weighted_mean == 2
    assert ranked[0].rank == ranked[1].rank == 1


def test_validate_scores_names_each_problem() -> None:
    problems = validate_scores(CRITERIA, {"innovation": 101, "extra": 5})
    assert problems == {
        "innovation": "评分应在 0 到 100 之间",
        "feasibility": "此项未评分",
        "extra": "评分标准中没有此项",
    }
    assert validate_scores(CRITERIA, {"innovation": True, "feasibility": 1})["innovation"] == "评分应为整数"
    assert validate_scores(CRITERIA, {"innovation": 0, "feasibility": 100}) == {}


# --- N/A, per-application statistics, calibration, ICC, ranking keys, quotas ------------------------------------

NA_CRITERIA = [Criterion("a", 40, 10), Criterion("b", 60, 10, allow_na=True)]


def test_na_renormalises_the_weights_instead_of_counting_zero() -> None:
    assert review_score(NA_CRITERIA, {"a": 8, "b": None}) == 8  # not 40·8/100 = 3.2
    assert review_score(NA_CRITERIA, {"a": 8}) == 8  # a missing N/A criterion is N/A too
    with pytest.raises(ValueError, match="not scored"):
        review_score(NA_CRITERIA, {"b": 5})
    with pytest.raises(ValueError, match="at least one"):
        review_score([Criterion("x", 1, 5, allow_na=True)], {"x": None})


def test_validate_scores_accepts_explicit_na_only_where_allowed() -> None:
    assert validate_scores(NA_CRITERIA, {"a": 3, "b": None}) == {}
    assert validate_scores(NA_CRITERIA, {"a": None, "b": 3}) == {"a": "此项不可选“不适用”"}
    assert validate_scores(NA_CRITERIA, {"a": 3}) == {"b": "此项未评分"}  # N/A must be explicit
    only_na = [Criterion("x", 1, 5, allow_na=True), Criterion("y", 1, 5, allow_na=True)]
    assert validate_scores(only_na, {"x": None, "y": None}) == {"x": "至少需要对一项评分", "y": "至少需要对一项评分"}
    assert validate_scores([Criterion("s", 1, 5, min_score=1)], {"s": 0}) == {"s": "评分应在 1 到 5 之间"}


def _round(reviews: list[Review], **rules: Any) -> RoundAggregate:
    criteria = rules.pop("criteria", NA_CRITERIA)
    submitted = rules.pop("submitted", {})
    ids = {r.application_id for r in reviews}
    return aggregate_round(RoundRules(criteria, **rules), reviews, {i: submitted.get(i, T0) for i in ids})


def test_hand_computed_statistics_with_na_and_outliers() -> None:
    reviews = [
        Review(1, 10, {"a": 8, "b": 6}),  # (40·8 + 60·6)/100 = 6.8
        Review(1, 11, {"a": 5, "b": None}),  # N/A → 5
        Review(1, 12, {"a": 9, "b": 9}),  # 9
        Review(2, 10, {"a": 7, "b": 7}),  # 7
    ]
    result = {r.application_id: r for r in _round(reviews, outlier_gap=Fraction(2), min_reviews=2).results()}
    one = result[1]
    assert one.review_count == 3
    assert one.weighted_mean == Fraction(208, 30)  # (6.8 + 5 + 9) / 3
    assert one.median == Fraction(68, 10)
    assert one.trimmed_mean == one.weighted_mean  # fewer than 5 reviews: nothing dropped
    assert one.score_range == 4
    assert one.variance == Fraction((68**2 + 50**2 + 90**2) * 3 - 208**2, 9 * 100)  # population variance
    assert one.spread == pytest.approx(math.sqrt(one.variance))
    assert one.criterion_means == {"a": Fraction(22, 3), "b": Fraction(15, 2)}  # N/A left out of b's mean
    # |5 − median(6.8, 9)| = 2.9 > 2 and |9 − median(5, 6.8)| = 3.1 > 2; |6.8 − 7| = 0.2
    assert one.outlier_experts == (11, 12)
    assert not one.too_few_reviews and result[2].too_few_reviews
    assert result[2].outlier_experts == ()  # fewer than 3 reviews: no "others" to compare with


def test_trimmed_mean_drops_highest_and_lowest_from_five_reviews() -> None:
    single = [Criterion("s", 1, 100)]
    five = [Review(1, e, {"s": s}) for e, s in enumerate([10, 20, 30, 40, 100])]
    four = [Review(2, e, {"s": s}) for e, s in enumerate([10, 20, 30, 100])]
    result = {r.application_id: r for r in _round(five + four, criteria=single).results()}
    assert [result[1].weighted_mean, result[1].median, result[1].trimmed_mean] == [40, 30, 30]
    assert [result[2].weighted_mean, result[2].median, result[2].trimmed_mean] == [40, 25, 40]
    assert result[1].outlier_experts == (4,)  # |100 − median(10, 20, 30, 40)| = 75 > 25 (¼ of the range)


def test_calibration_maps_each_experts_z_scores_onto_the_round_scale() -> None:
    single = [Criterion("s", 1, 10)]
    reviews = [
        Review(1, 100, {"s": 4}),  # expert 100: 2 and 4 → mean 3, SD 1 → z = ±1
        Review(1, 200, {"s": 10}),  # expert 200: 6 and 10 → mean 8, SD 2 → z = ±1
        Review(2, 100, {"s": 2}),
        Review(2, 200, {"s": 6}),
        Review(3, 300, {"s": 9}),  # one review: cannot be calibrated → z = 0
        Review(3, 400, {"s": 5}),  # same score everywhere: z = 0
        Review(4, 400, {"s": 5}),
    ]
    aggregate = _round(reviews, criteria=single, method="calibrated_mean")
    scores = [4, 10, 2, 6, 9, 5, 5]
    mean = sum(scores) / 7
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / 7)
    result = {r.application_id: r for r in aggregate.results()}
    assert result[1].mean_z == 1 and result[2].mean_z == -1 and result[3].mean_z == 0
    assert result[1].calibrated_mean == Decimal(f"{mean + sd:.6f}")
    assert result[2].calibrated_mean == Decimal(f"{mean - sd:.6f}")
    assert result[3].calibrated_mean == result[4].calibrated_mean == Decimal(f"{mean:.6f}")
    assert aggregate.uncalibrated_reviews == 3
    assert (aggregate.global_mean, aggregate.global_sd) == pytest.approx((mean, sd))
    ranking = aggregate.ranking()
    assert [r.application_id for r in ranking] == [1, 4, 3, 2]  # 3 and 4 tie: 4's reviews vary less (0 < 4)
    assert ranking[0].score == result[1].calibrated_mean


def test_calibrated_key_does_not_depend_on_row_order() -> None:
    single = [Criterion("s", 1, 100)]
    rng = random.Random(7)
    reviews = [Review(a, e, {"s": rng.randrange(101)}) for a in range(40) for e in rng.sample(range(12), 3)]
    first = _round(reviews, criteria=single, method="calibrated_mean")
    shuffled = reviews[:]
    rng.shuffle(shuffled)
    second = _round(shuffled, criteria=single, method="calibrated_mean")
    assert first.ranking() == second.ranking()
    assert first.results() == second.results()
    assert first.reliability == second.reliability


def test_icc1_on_a_hand_computed_round() -> None:
    # means 2, 6, 9; MSB = 74/3, MSW = 4/3, n0 = 2 → ICC(1) = 35/39, ICC(1,k) = 35/37
    single = [Criterion("s", 1, 10)]
    pairs = [(1, 1), (1, 3), (2, 5), (2, 7), (3, 9), (3, 9)]
    reviews = [Review(a, i, {"s": s}) for i, (a, s) in enumerate(pairs)]
    reliability = _round(reviews, criteria=single).reliability
    assert reliability.icc1 == pytest.approx(35 / 39)
    assert reliability.icc1k == pytest.approx(35 / 37)
    assert (reliability.applications, reliability.ratings, reliability.raters_per_application) == (3, 6, 2)
    assert _round(reviews[:1], criteria=single).reliability.icc1 is None


def test_unbalanced_icc_uses_n0() -> None:
    single = [Criterion("s", 1, 10)]
    groups = {1: [1, 2, 3], 2: [6, 8], 3: [9]}
    reviews = [Review(a, i * 10 + a, {"s": s}) for a, scores in groups.items() for i, s in enumerate(scores)]
    values = [s for scores in groups.values() for s in scores]
    grand = sum(values) / len(values)
    msb = sum(len(v) * (sum(v) / len(v) - grand) ** 2 for v in groups.values()) / 2
    msw = sum((s - sum(v) / len(v)) ** 2 for v in groups.values() for s in v) / (6 - 3)
    n0 = (6 - (9 + 4 + 1) / 6) / 2
    reliability = _round(reviews, criteria=single).reliability
    assert reliability.raters_per_application == pytest.approx(n0)
    assert reliability.icc1 == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))


def test_ranking_tie_breaks_criteria_then_spread_then_submission_then_id() -> None:
    two = [Criterion("a", 1, 10), Criterion("b", 1, 10)]
    reviews = [
        Review(1, 1, {"a": 5, "b": 5}),  # mean 5, a = 5
        Review(2, 1, {"a": 6, "b": 4}),  # mean 5, a = 6 → wins the tie on "a"
        Review(3, 1, {"a": 5, "b": 5}),  # like 1 but two reviews 5 and 5: same variance 0 → later submission
        Review(3, 2, {"a": 5, "b": 5}),
        Review(4, 1, {"a": 4, "b": 4}),  # mean 5, a = 5 but variance > 0 → after 1 and 3
        Review(4, 2, {"a": 6, "b": 6}),
        Review(5, 1, {"a": 5, "b": 5}),  # identical to 1 in every key but the id → shares its rank
    ]
    submitted = {1: T0, 3: T0 + timedelta(hours=1), 5: T0}
    ranking = _round(reviews, criteria=two, tie_break=("a",), submitted=submitted).ranking()
    assert [(r.rank, r.application_id) for r in ranking] == [(1, 2), (2, 1), (2, 5), (4, 3), (5, 4)]
    assert all(r.score == 5 for r in ranking)


def test_ranking_keys_are_exact_where_floats_collide() -> None:
    # 2^60 and 2^60 + 1 are one float: the exact fallback still orders them.
    num = np.array([2**60 + 1, 2**60, 3], dtype=object)
    assert order_key(num, np.array([1, 1, 1], dtype=object)).tolist() == [2, 1, 0]
    assert order_key(np.array([1, 2, 3]), np.array([3, 6, 9])).tolist() == [0, 0, 0]  # 1/3 = 2/6 = 3/9


def test_huge_rubric_numbers_fall_back_to_python_integers() -> None:
    weights = [97, 89, 83, 79, 73, 71]  # subsets of N/A give a common denominator far beyond 2^53
    criteria = [Criterion(f"c{i}", w, 1000, allow_na=True) for i, w in enumerate(weights)]
    rng = random.Random(3)
    reviews = [
        Review(a, e, {c.code: (rng.randrange(1001) if rng.random() < 0.6 else None) for c in criteria} | {"c0": 1})
        for a in range(12)
        for e in range(4)
    ]
    aggregate = _round(reviews, criteria=criteria)
    assert aggregate.scale > 2**53
    for result in aggregate.results():
        mine = [r.scores for r in reviews if r.application_id == result.application_id]
        assert result.weighted_mean == weighted_mean(criteria, mine)
        assert result.median == statistics.median(review_score(criteria, s) for s in mine)


def test_empty_round_and_bad_input() -> None:
    empty = _round([])
    assert empty.ranking() == [] and empty.results() == [] and empty.reliability.icc1 is None
    with pytest.raises(ValueError, match="tie-break"):
        _round([Review(1, 1, {"a": 1})], tie_break=("nope",))
    with pytest.raises(ValueError, match="two reviews"):
        _round([Review(1, 1, {"a": 1}), Review(1, 1, {"a": 2})])
    with pytest.raises(ValueError, match="not scored"):
        _round([Review(1, 1, {"b": 1})])


def test_quotas_top_n_per_group_and_cutoff() -> None:
    ranking = [RankedApplication(i, app, Fraction(100 - 10 * i)) for i, app in enumerate([11, 12, 13, 14, 15], 1)]
    track = {11: "A", 12: "A", 13: "B", 14: "A", 15: "B"}
    picked = select_advancing(ranking, Quota(top_n=3, per_group={"A": 1}), track)
    assert picked.selected == (11, 13, 15)
    assert picked.reasons == {12: "group_full", 14: "group_full"}
    assert select_advancing(ranking, Quota(cutoff=Decimal("70"))).selected == (11, 12, 13)
    assert select_advancing(ranking, Quota(top_n=2)).reasons[13] == "top_n_reached"
    tied = [
        RankedApplication(1, 1, Fraction(9)),
        RankedApplication(2, 2, Fraction(8)),
        RankedApplication(2, 3, Fraction(8)),
    ]
    assert select_advancing(tied, Quota(top_n=2)).boundary_ties == (3,)
