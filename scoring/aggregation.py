"""Pure scoring math (评分汇总): no I/O. Formulas, choices and measurements: docs/scoring.md.

Scores come in as integers and every ranking key is compared exactly (integers or exact rationals), so an order
never depends on floating-point summation order. The calibrated mean is inherently float: it is computed in one
canonical row order and its key is the integer ``round(value · 10^places)``. Calibration and ICC: reliability.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Literal

import numpy as np
import numpy.typing as npt

from scoring.reliability import (
    Exact,
    Reliability,
    calibrate,
    dense_index,
    icc1,
    lexsort_pairs,
    order_key,
    outliers,
    packed_keys,
    sort_within,
)
from scoring.tie_break import DEFAULT_TIE_BREAK, expand

Method = Literal["weighted_mean", "median", "trimmed_mean", "calibrated_mean"]
METHODS: tuple[Method, ...] = ("weighted_mean", "median", "trimmed_mean", "calibrated_mean")
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int
    max_score: int
    min_score: int = 0
    allow_na: bool = False  # "not applicable" allowed: weights are renormalised over the answered criteria


@dataclass(frozen=True)
class ApplicationScores:
    application_id: int
    submitted_at: datetime
    reviews: Sequence[Mapping[str, int | None]]  # one {criterion code: score, None = N/A} per submitted review


@dataclass(frozen=True)
class Ranked:
    rank: int
    application_id: int
    weighted_mean: Fraction
    review_count: int


def review_score(criteria: Sequence[Criterion], scores: Mapping[str, int | None]) -> Fraction:
    """Weighted mean of one review over its answered criteria: Σ wᵢ·sᵢ / Σ wᵢ (an N/A criterion is in neither sum)."""
    answered = []
    for c in criteria:
        if (value := scores.get(c.code)) is not None:
            answered.append((c.weight, value))
        elif not c.allow_na:
            raise ValueError(f"criterion {c.code} is not scored")
    total_weight = sum(w for w, _ in answered)
    if total_weight <= 0:
        raise ValueError("a review must answer at least one weighted criterion")
    return Fraction(sum(w * s for w, s in answered), total_weight)


def weighted_mean(criteria: Sequence[Criterion], reviews: Sequence[Mapping[str, int | None]]) -> Fraction | None:
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
    """Per-criterion problems (code → zh-CN message); empty when the review is complete and in range.

    N/A is an explicit ``null`` on a criterion that allows it; a missing criterion is never N/A.
    """
    problems: dict[str, str] = {}
    known = {c.code for c in criteria}
    for code in scores:
        if code not in known:
            problems[code] = "评分标准中没有此项"
    for criterion in criteria:
        value = scores.get(criterion.code)
        if value is None and criterion.allow_na and criterion.code in scores:
            continue
        if value is None:
            problems[criterion.code] = "此项未评分" if criterion.code not in scores else "此项不可选“不适用”"
        elif isinstance(value, bool) or not isinstance(value, int):
            problems[criterion.code] = "评分应为整数"
        elif not criterion.min_score <= value <= criterion.max_score:
            problems[criterion.code] = f"评分应在 {criterion.min_score} 到 {criterion.max_score} 之间"
    if criteria and not problems and all(scores.get(c.code) is None for c in criteria):
        problems = {c.code: "至少需要对一项评分" for c in criteria}
    return problems


@dataclass(frozen=True)
class Review:
    application_id: int
    expert_id: int
    scores: Mapping[str, int | None]  # None = N/A


@dataclass(frozen=True)
class ScoreRows:
    """Submitted reviews as columns: one row per review, one score column per criterion in rubric order."""

    application_ids: Ints
    expert_ids: Ints
    scores: Ints  # (rows, criteria); ignored where not answered
    answered: Bools

    @classmethod
    def from_reviews(cls, criteria: Sequence[Criterion], reviews: Sequence[Review]) -> ScoreRows:
        codes, size = [c.code for c in criteria], len(reviews) * len(criteria)
        flat = [r.scores.get(code) for r in reviews for code in codes]
        answered = np.fromiter((v is not None for v in flat), dtype=bool, count=size).reshape(len(reviews), len(codes))
        values = np.fromiter((v or 0 for v in flat), dtype=np.int64, count=size).reshape(answered.shape)
        apps = np.fromiter((r.application_id for r in reviews), dtype=np.int64, count=len(reviews))
        experts = np.fromiter((r.expert_id for r in reviews), dtype=np.int64, count=len(reviews))
        return cls(apps, experts, values, answered)


@dataclass(frozen=True)
class RoundRules:
    criteria: Sequence[Criterion]
    method: Method = "weighted_mean"
    tie_break: Sequence[str] = ()  # criterion codes that ``criteria`` in tie_order stands for, in order
    tie_order: Sequence[str] = DEFAULT_TIE_BREAK  # the round's tie-break keys (scoring.tie_break)
    min_reviews: int = 3  # fewer submitted reviews → flagged too_few_reviews
    trim_from: int = 5  # the trimmed mean drops the highest and the lowest review from this many reviews on
    outlier_gap: Fraction | None = None  # |review − median of the others| above this flags it; None: ¼ of the range
    calibrated_places: int = 6

    def gap(self) -> Fraction:
        if self.outlier_gap is not None:
            return Fraction(self.outlier_gap)
        low, high = min(c.min_score for c in self.criteria), max(c.max_score for c in self.criteria)
        return Fraction(high - low, 4)


@dataclass(frozen=True)
class ApplicationResult:
    application_id: int
    review_count: int
    weighted_mean: Fraction
    median: Fraction
    trimmed_mean: Fraction  # = weighted_mean below trim_from reviews
    calibrated_mean: Decimal  # rounded half-even to calibrated_places
    mean_z: float  # mean z-score of its reviews (what calibrated_mean maps back onto the scale)
    spread: float  # population standard deviation of its review scores
    variance: Fraction  # exact; "lower spread" tie-breaks compare this
    score_range: Fraction  # highest − lowest review score
    criterion_means: Mapping[str, Fraction | None]  # None when every review said N/A
    outlier_experts: tuple[int, ...]  # experts whose review is an outlier (needs ≥ 3 reviews)
    too_few_reviews: bool


@dataclass(frozen=True)
class RankedApplication:
    rank: int  # competition ranking (1, 2, 2, 4): equal only when every key but the id ties
    application_id: int
    score: Fraction | Decimal  # the round method's value


@dataclass(frozen=True)
class RoundAggregate:
    """Columns per application (ascending id), per review (canonical order) and the ranking order."""

    rules: RoundRules
    scale: int  # L: every review score is an integer / L
    application_ids: Ints
    counts: Ints
    sums: Exact  # Σ L·score
    median2: Exact  # L·(2·median)
    trimmed: tuple[Exact, Exact]  # numerator, denominator
    variance: tuple[Exact, Exact]
    low_high: tuple[Exact, Exact]  # L·lowest, L·highest
    criterion_sums: Ints  # (applications, criteria)
    criterion_counts: Ints
    calibrated_key: Ints  # round(calibrated mean · 10^places)
    mean_z: Floats
    review_apps: Ints
    review_experts: Ints
    outlier: Bools
    order: Ints  # application positions, best first
    ranks: Ints  # rank of order[i]
    reliability: Reliability
    global_mean: float
    global_sd: float
    uncalibrated_reviews: int

    def score(self, i: int) -> Fraction | Decimal:
        method, n, scale = self.rules.method, int(self.counts[i]), self.scale
        if method == "median":
            return Fraction(int(self.median2[i]), 2 * scale)
        if method == "trimmed_mean":
            return Fraction(int(self.trimmed[0][i]), int(self.trimmed[1][i]))
        if method == "calibrated_mean":
            return Decimal(int(self.calibrated_key[i])).scaleb(-self.rules.calibrated_places)
        return Fraction(int(self.sums[i]), n * scale)

    def ranking(self) -> list[RankedApplication]:
        ids = self.application_ids.tolist()
        return [
            RankedApplication(int(r), ids[i], self.score(i))
            for i, r in zip(self.order.tolist(), self.ranks, strict=True)
        ]

    def results(self) -> list[ApplicationResult]:
        codes, scale, rules = [c.code for c in self.rules.criteria], self.scale, self.rules
        flagged: dict[int, list[int]] = {}
        for app, expert in zip(
            self.review_apps[self.outlier].tolist(), self.review_experts[self.outlier].tolist(), strict=True
        ):
            flagged.setdefault(app, []).append(expert)
        columns = zip(
            self.application_ids.tolist(),
            self.counts.tolist(),
            self.sums.tolist(),
            self.median2.tolist(),
            *(part.tolist() for part in (*self.trimmed, *self.variance, *self.low_high)),
            self.calibrated_key.tolist(),
            self.mean_z.tolist(),
            self.criterion_sums.tolist(),
            self.criterion_counts.tolist(),
            strict=True,
        )
        out = []
        for app, n, total, median2, t_num, t_den, v_num, v_den, low, high, key, z, c_sums, c_counts in columns:
            variance = Fraction(v_num, v_den)
            means = {code: Fraction(c_sums[c], k) if (k := c_counts[c]) else None for c, code in enumerate(codes)}
            out.append(
                ApplicationResult(
                    app,
                    n,
                    Fraction(total, n * scale),
                    Fraction(median2, 2 * scale),
                    Fraction(t_num, t_den),
                    Decimal(key).scaleb(-rules.calibrated_places),
                    z,
                    math.sqrt(v_num / v_den),
                    variance,
                    Fraction(high - low, scale),
                    means,
                    tuple(flagged.get(app, ())),
                    n < rules.min_reviews,
                )
            )
        return out


def aggregate_round(
    rules: RoundRules, reviews: ScoreRows | Sequence[Review], submitted_at: Mapping[int, datetime]
) -> RoundAggregate:
    """Every per-application statistic, the flags, the round's ICC and the ranking by ``rules.method``.

    Ranking keys, in order: the method's value (higher first), then ``tie_order`` (scoring.tie_break; by default
    the ``tie_break`` criteria's means (higher first; all-N/A counts lowest), the variance of the review scores
    (lower first), ``submitted_at`` (earlier first)), and finally the application id (lower first). Raises
    ValueError on a missing non-N/A score, a review answering nothing, or two
    reviews by one expert of one application; ``submitted_at`` must cover every reviewed application.
    """
    rows = reviews if isinstance(reviews, ScoreRows) else ScoreRows.from_reviews(rules.criteria, reviews)
    codes = [c.code for c in rules.criteria]
    if rules.method not in METHODS or rules.trim_from < 3 or not set(rules.tie_break) <= set(codes):
        raise ValueError("unknown method or tie-break criterion, or trim_from < 3")
    can_skip = np.array([c.allow_na for c in rules.criteria], dtype=bool)
    if (~rows.answered & ~can_skip).any():
        raise ValueError("a criterion without N/A is not scored")
    canon = lexsort_pairs(rows.application_ids, rows.expert_ids)
    if canon.size and (np.diff(canon) == 1).all():  # rows read ORDER BY application, expert: no gather needed
        canon = slice(None)  # type: ignore[assignment]
    apps, experts = rows.application_ids[canon], rows.expert_ids[canon]
    if ((np.diff(apps) == 0) & (np.diff(experts) == 0)).any():
        raise ValueError("two reviews by one expert of one application")
    answered = rows.answered[canon]
    raw = np.where(answered, rows.scores[canon], 0)
    weights = np.array([c.weight for c in rules.criteria], dtype=np.int64)
    den = answered.astype(np.int64) @ weights
    if (den <= 0).any():
        raise ValueError("a review must answer at least one weighted criterion")
    scale = math.lcm(*np.unique(den).tolist()) if den.size else 1
    # apps is sorted: each application's rows are one run, found without np.unique's sort.
    fresh_app = np.r_[True, apps[1:] != apps[:-1]] if apps.size else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(fresh_app)
    ids, counts = apps[starts], np.diff(np.r_[starts, apps.size])
    try:  # itemgetter looks every id up in one C loop (a comprehension here cost as much as the sorts above)
        submitted = list(itemgetter(*ids.tolist())(submitted_at)) if ids.size > 1 else [submitted_at[a] for a in ids]
    except KeyError:
        missing = [a for a in ids.tolist() if a not in submitted_at]
        raise ValueError(f"no submission time for applications {missing[:10]}") from None
    gap, top = rules.gap(), int(np.abs(raw).max(initial=1)) or 1
    bound = max(int(counts.max(initial=1)) ** 2 * (top * scale) ** 2, int(weights.sum()) * top, 4 * top * scale)
    bound = max(bound, 4 * top * scale * gap.denominator + 2 * abs(gap.numerator) * scale)
    kind: type = object if bound >= 2**53 else np.int64
    s: Exact = (raw @ weights).astype(kind) * (scale // den.astype(kind))  # L · review score, exact
    within = sort_within(apps, s)
    sorted_s = s[within]
    last = starts + counts - 1
    sums = np.add.reduceat(s, starts)
    median2 = sorted_s[starts + (counts - 1) // 2] + sorted_s[starts + counts // 2]
    trim = counts >= rules.trim_from
    trimmed: tuple[Exact, Exact] = (
        np.where(trim, sums - sorted_s[starts] - sorted_s[last], sums),
        np.where(trim, counts - 2, counts).astype(kind) * scale,
    )
    variance: tuple[Exact, Exact] = (
        counts.astype(kind) * np.add.reduceat(s * s, starts) - sums * sums,
        counts.astype(kind) ** 2 * scale**2,
    )
    outlier = np.zeros(s.size, dtype=bool)
    outlier[within] = outliers(sorted_s, starts, counts, gap, scale)
    if kind is np.int64:  # |L·score| < 2⁵³: exact in float64, so one correctly rounded division
        scores = s.astype(np.float64) / scale
    else:
        scores = np.array([v / scale for v in s.tolist()], dtype=np.float64)
    calibration = calibrate(scores, s, dense_index(experts))
    mapped = np.add.reduceat(calibration.mapped(), starts) / counts if s.size else np.zeros(0)
    mean_z = np.add.reduceat(calibration.z, starts) / counts if s.size else np.zeros(0)
    calibrated_key = np.rint(mapped * 10**rules.calibrated_places).astype(np.int64)
    criterion_sums = np.add.reduceat(raw, starts, axis=0) if s.size else np.zeros((0, weights.size), np.int64)
    criterion_counts = np.add.reduceat(answered.astype(np.int64), starts, axis=0) if s.size else criterion_sums
    primary = {
        "weighted_mean": (sums, counts.astype(kind) * scale),
        "median": (median2, np.full(ids.size, 2 * scale).astype(kind)),
        "trimmed_mean": trimmed,
        "calibrated_mean": (calibrated_key, np.ones(ids.size, dtype=np.int64)),
    }[rules.method]
    keys = [-order_key(*primary)]
    for kind_of_key, code in expand(rules.tie_order, codes, list(rules.tie_break)):
        if kind_of_key == "criterion":
            c = codes.index(str(code))
            has = criterion_counts[:, c] > 0
            keys.append(-np.where(has, order_key(criterion_sums[:, c], np.maximum(criterion_counts[:, c], 1)), -1))
        elif kind_of_key == "spread":
            keys.append(order_key(*variance))
        else:  # submitted_at
            when = {t: i for i, t in enumerate(sorted(set(submitted)))}
            keys.append(np.fromiter(map(when.__getitem__, submitted), dtype=np.int64, count=len(submitted)))
    # ids come ascending (application runs of sorted rows) and lexsort is stable: ties end in id order without an
    # id key; the keys are ranks, packed into as few int64 keys as fit.
    packed = packed_keys(keys)
    order = np.lexsort(packed[::-1])
    stacked = np.stack(packed)[:, order]
    fresh = np.r_[True, (stacked[:, 1:] != stacked[:, :-1]).any(axis=0)] if ids.size else np.zeros(0, dtype=bool)
    ranks = np.maximum.accumulate(np.where(fresh, np.arange(1, ids.size + 1), 0))
    return RoundAggregate(
        rules=rules,
        scale=scale,
        application_ids=ids,
        counts=counts,
        sums=sums,
        median2=median2,
        trimmed=trimmed,
        variance=variance,
        low_high=(sorted_s[starts], sorted_s[last]),
        criterion_sums=criterion_sums,
        criterion_counts=criterion_counts,
        calibrated_key=calibrated_key,
        mean_z=mean_z,
        review_apps=apps,
        review_experts=experts,
        outlier=outlier,
        order=order,
        ranks=ranks,
        reliability=icc1(scores, starts, counts),
        global_mean=calibration.global_mean,
        global_sd=calibration.global_sd,
        uncalibrated_reviews=int((~calibration.calibrated).sum()),
    )
