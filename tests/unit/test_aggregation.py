from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from scoring.aggregation import (
    ApplicationScores,
    Criterion,
    rank_by_weighted_mean,
    review_score,
    validate_scores,
    weighted_mean,
)

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
