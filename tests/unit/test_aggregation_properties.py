"""Property tests of scoring/aggregation.py against a plain-Fraction reference, and calibration invariance."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import METHODS, Criterion, Review, RoundRules, aggregate_round, review_score

T0 = datetime(2026, 3, 1, tzinfo=UTC)
FAST = settings(max_examples=60, deadline=None, derandomize=True)  # reproducible in CI


@st.composite
def rounds(draw: st.DrawFn, max_score: int = 10) -> tuple[list[Criterion], list[Review], dict[int, datetime]]:
    criteria = [
        Criterion(f"c{i}", draw(st.integers(1, 5)), max_score, allow_na=draw(st.booleans()))
        for i in range(draw(st.integers(1, 3)))
    ]
    apps, experts = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    reviews = []
    for app in range(apps):
        for expert in draw(st.sets(st.integers(0, experts - 1), min_size=1)):
            scores: dict[str, int | None] = {}
            for c in criteria:
                na = c.allow_na and draw(st.booleans())
                scores[c.code] = None if na else draw(st.integers(0, max_score))
            if all(v is None for v in scores.values()):
                scores[criteria[0].code] = draw(st.integers(0, max_score))
            reviews.append(Review(app, expert, scores))
    submitted = {app: T0 + timedelta(hours=draw(st.integers(0, 2))) for app in range(apps)}
    return criteria, reviews, submitted


@FAST
@given(rounds())
def test_vectorised_statistics_equal_the_fraction_reference(
    data: tuple[list[Criterion], list[Review], dict[int, datetime]],
) -> None:
    criteria, reviews, submitted = data
    tie_break = tuple(c.code for c in criteria)
    aggregate = aggregate_round(RoundRules(criteria, tie_break=tie_break), reviews, submitted)
    reference: dict[int, tuple[Fraction, ...]] = {}
    for result in aggregate.results():
        mine = [r for r in reviews if r.application_id == result.application_id]
        scores = sorted(review_score(criteria, r.scores) for r in mine)
        mean = sum(scores, Fraction(0)) / len(scores)
        assert result.weighted_mean == mean
        assert result.median == statistics.median(scores)
        assert result.trimmed_mean == (sum(scores[1:-1], Fraction(0)) / (len(scores) - 2) if len(scores) >= 5 else mean)
        assert result.variance == statistics.pvariance(scores)
        assert result.score_range == scores[-1] - scores[0]
        means = []
        for c in criteria:
            answered = [r.scores[c.code] for r in mine if r.scores.get(c.code) is not None]
            expected = Fraction(sum(v for v in answered if v is not None), len(answered)) if answered else None
            assert result.criterion_means[c.code] == expected
            means.append(expected if expected is not None else Fraction(-1))
        reference[result.application_id] = (-mean, *(-m for m in means), statistics.pvariance(scores))
    expected_order = sorted(reference, key=lambda a: (*reference[a], submitted[a], a))
    assert [r.application_id for r in aggregate.ranking()] == expected_order


@FAST
@given(rounds(max_score=1000), st.data())
def test_calibration_is_invariant_to_an_experts_affine_shift(
    data: tuple[list[Criterion], list[Review], dict[int, datetime]], draw: st.DataObject
) -> None:
    criteria, reviews, submitted = data
    scale, offset = draw.draw(st.integers(1, 5)), draw.draw(st.integers(0, 50))
    expert = draw.draw(st.sampled_from(sorted({r.expert_id for r in reviews})))
    shifted = [
        Review(
            r.application_id, r.expert_id, {k: None if v is None else scale * v + offset for k, v in r.scores.items()}
        )
        if r.expert_id == expert
        else r
        for r in reviews
    ]
    rules = RoundRules(criteria, method="calibrated_mean")
    before, after = aggregate_round(rules, reviews, submitted), aggregate_round(rules, shifted, submitted)
    assert after.mean_z == pytest.approx(before.mean_z, abs=1e-9)
    assert after.uncalibrated_reviews == before.uncalibrated_reviews
    # The calibrated order is the mean-z order (the map back onto the scale is one increasing affine function).
    z = dict(zip(before.application_ids.tolist(), before.mean_z.tolist(), strict=True))
    order = [r.application_id for r in after.ranking()]
    # Keys are rounded to 10⁻⁶ on the scale, i.e. 10⁻⁶ / SD in z: closer values may be ordered by the tie-breaks.
    slack = 1e-6 / after.global_sd + 1e-9 if after.global_sd else math.inf
    assert all(z[a] >= z[b] - slack for a, b in zip(order, order[1:], strict=False))


@FAST
@given(rounds(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(
    data: tuple[list[Criterion], list[Review], dict[int, datetime]], rng: object
) -> None:
    criteria, reviews, submitted = data
    shuffled = reviews[:]
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    for method in METHODS:
        rules = RoundRules(criteria, method=method)
        first, second = aggregate_round(rules, reviews, submitted), aggregate_round(rules, shuffled, submitted)
        assert first.ranking() == second.ranking()
        assert first.results() == second.results()
