"""Pure scoring math: no I/O. Exact arithmetic (Fraction) so rankings never depend on float summation order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int
    max_score: int


@dataclass(frozen=True)
class ApplicationScores:
    application_id: int
    submitted_at: datetime
    reviews: Sequence[Mapping[str, int]]  # one {criterion code: score} per submitted review


@dataclass(frozen=True)
class Ranked:
    rank: int
    application_id: int
    weighted_mean: Fraction
    review_count: int


def review_score(criteria: Sequence[Criterion], scores: Mapping[str, int]) -> Fraction:
    """Weighted mean of one review: Σ wᵢ·sᵢ / Σ wᵢ."""
    total_weight = sum(c.weight for c in criteria)
    return Fraction(sum(c.weight * scores[c.code] for c in criteria), total_weight)


def weighted_mean(criteria: Sequence[Criterion], reviews: Sequence[Mapping[str, int]]) -> Fraction | None:
    """Mean of the reviews' weighted means; None without reviews."""
    if not reviews:
        return None
    return sum((review_score(criteria, r) for r in reviews), Fraction(0)) / len(reviews)


def rank_by_weighted_mean(criteria: Sequence[Criterion], applications: Sequence[ApplicationScores]) -> list[Ranked]:
    """Highest weighted mean first; ties broken by earlier submission, then lower id. Unreviewed ones are left out.

    Equal means share a rank only if submission time also ties (competition ranking 1, 2, 2, 4).
    """
    scored = [(mean, app) for app in applications if (mean := weighted_mean(criteria, app.reviews)) is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].submitted_at, pair[1].application_id))
    ranked: list[Ranked] = []
    for position, (mean, app) in enumerate(scored, start=1):
        previous = ranked[-1] if ranked else None
        same_as_previous = (
            previous is not None
            and previous.weighted_mean == mean
            and scored[position - 2][1].submitted_at == app.submitted_at
        )
        rank = previous.rank if same_as_previous and previous else position
        ranked.append(Ranked(rank, app.application_id, mean, len(app.reviews)))
    return ranked


def validate_scores(criteria: Sequence[Criterion], scores: Mapping[str, object]) -> dict[str, str]:
    """Per-criterion problems (code → zh-CN message); empty when the review is complete and in range."""
    problems: dict[str, str] = {}
    known = {c.code for c in criteria}
    for code in scores:
        if code not in known:
            problems[code] = "评分标准中没有此项"
    for criterion in criteria:
        value = scores.get(criterion.code)
        if value is None:
            problems[criterion.code] = "此项未评分"
        elif isinstance(value, bool) or not isinstance(value, int):
            problems[criterion.code] = "评分应为整数"
        elif not 0 <= value <= criterion.max_score:
            problems[criterion.code] = f"评分应在 0 到 {criterion.max_score} 之间"
    return problems
