"""The statistics under scoring/aggregation.py: per-expert calibration (z-scores), inter-rater reliability (ICC),
outlier reviews and exact ordering of rationals. Pure numpy, no I/O.

Both take the reviews in one canonical order (by application, then expert — scoring.aggregation sorts them), so
the floating-point results are the same bits whatever order the rows arrived in. Formulas: docs/scoring.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Exact = npt.NDArray[Any]  # int64, or Python integers (dtype=object) when a rubric's numbers outgrow 2⁵³


@dataclass(frozen=True)
class Calibration:
    z: Floats  # per review: (score − expert's mean) / expert's SD; 0 where the expert cannot be calibrated
    calibrated: Bools  # per review: False when the expert has a single review or gave every review the same score
    global_mean: float  # mean of all review scores of the round
    global_sd: float  # population SD of all review scores of the round

    def mapped(self) -> Floats:
        """z mapped back onto the rubric's scale: global_mean + global_sd · z."""
        return self.global_mean + self.global_sd * self.z


def calibrate(scores: Floats, exact: Ints, experts: Ints) -> Calibration:
    """Per-expert z-scores. ``scores`` are the reviews' weighted scores, ``exact`` the same scores as integers on a
    common scale (so "every review the same" is decided exactly, not by a float variance near zero), ``experts`` a
    dense expert index per review. Population (ddof = 0) means and SDs throughout.

    An expert with one review, or whose reviews all carry the same score, tells us nothing about how they use the
    scale: their reviews get z = 0, i.e. count at the round's mean, and are marked not calibrated.
    """
    if scores.size == 0:
        return Calibration(np.zeros(0), np.zeros(0, dtype=bool), 0.0, 0.0)
    count = np.bincount(experts)
    mean = np.bincount(experts, weights=scores) / np.maximum(count, 1)
    deviation = scores - mean[experts]
    sd = np.sqrt(np.bincount(experts, weights=deviation * deviation) / np.maximum(count, 1))
    low = np.full(count.size, np.iinfo(np.int64).max, dtype=np.int64) if exact.dtype != object else None
    if low is not None:
        high = np.full(count.size, np.iinfo(np.int64).min, dtype=np.int64)
        np.minimum.at(low, experts, exact)
        np.maximum.at(high, experts, exact)
        varies = high > low
    else:  # Python integers (a rubric too large for int64): same test, element by element
        seen: dict[int, set[int]] = {}
        for expert, value in zip(experts.tolist(), exact.tolist(), strict=True):
            seen.setdefault(expert, set()).add(value)
        varies = np.array([len(seen.get(j, ())) > 1 for j in range(count.size)], dtype=bool)
    ok = varies[experts] & (count[experts] >= 2)
    z = np.where(ok, deviation / np.where(ok, sd[experts], 1.0), 0.0)
    global_mean = float(scores.mean())
    return Calibration(z, ok, global_mean, float(np.sqrt(np.mean((scores - global_mean) ** 2))))


@dataclass(frozen=True)
class Reliability:
    """One-way random-effects intraclass correlation of the review scores (applications = targets).

    ICC(1) is the reliability of a single review, ICC(1,k) that of the mean of k = ``raters_per_application``
    reviews. Each application is reviewed by its own set of experts (an incomplete, unbalanced design), so the
    one-way model is the one that fits: rater effects cannot be separated from error. None when undefined (fewer
    than two applications, no application with two reviews, or zero variance).
    """

    icc1: float | None
    icc1k: float | None
    applications: int
    ratings: int
    raters_per_application: float  # n₀ = (N − Σnᵢ²/N) / (a − 1)
    ms_between: float
    ms_within: float


def icc1(scores: Floats, starts: Ints, counts: Ints) -> Reliability:
    """ICC(1) and ICC(1,k) from reviews grouped by application (``starts``/``counts`` of each group in ``scores``).

    MSB = Σ nᵢ(x̄ᵢ − x̄)² / (a − 1), MSW = Σᵢ Σⱼ (xᵢⱼ − x̄ᵢ)² / (N − a),
    ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1)·MSW), ICC(1,k) = (MSB − MSW) / MSB.
    """
    a, total = int(counts.size), int(counts.sum())
    if a < 2 or total - a < 1:
        return Reliability(None, None, a, total, float(total / a) if a else 0.0, 0.0, 0.0)
    means = np.add.reduceat(scores, starts) / counts
    grand = float(scores.mean())
    ms_between = float(np.sum(counts * (means - grand) ** 2)) / (a - 1)
    residual = scores - np.repeat(means, counts)
    ms_within = float(np.sum(residual * residual)) / (total - a)
    n0 = (total - float(np.sum(counts.astype(np.float64) ** 2)) / total) / (a - 1)
    denominator = ms_between + (n0 - 1) * ms_within
    single = (ms_between - ms_within) / denominator if denominator > 0 else None
    average = (ms_between - ms_within) / ms_between if ms_between > 0 else None
    return Reliability(single, average, a, total, n0, ms_between, ms_within)


INT64_ROOM = 2**62  # a combined sort key must stay below this (int64, with room for the +1s below)


def lexsort_pairs(major: Ints, minor: Ints) -> Ints:
    """The stable order of rows by (major, minor), as ``np.lexsort((minor, major))``. When both fit one int64 key
    (shifted to start at 0) a single stable argsort of that key does it, at about half the cost of lexsort."""
    if major.size == 0:
        return np.zeros(0, dtype=np.int64)
    low_major, low_minor = int(major.min()), int(minor.min())
    span = int(minor.max()) - low_minor + 1
    if (int(major.max()) - low_major + 1) * span >= INT64_ROOM:
        return np.lexsort((minor, major))
    key = (major - low_major) * span + (minor - low_minor)
    return np.argsort(key, kind="stable")


def packed_keys(keys: list[Ints]) -> list[Ints]:
    """The same lexicographic order in fewer keys: consecutive integer keys (most significant first), each shifted
    to start at 0, are combined into one int64 while the product of their ranges stays below ``INT64_ROOM``. A
    lexsort over five rank keys then sorts two, and equal packed keys mean equal keys."""
    packed: list[Ints] = []
    current: Ints | None = None
    room = 1
    for key in keys:
        low = int(key.min()) if key.size else 0
        span = (int(key.max()) - low + 1) if key.size else 1
        shifted = key.astype(np.int64) - low
        if current is not None and room * span < INT64_ROOM:
            current = current * span + shifted
            room *= span
        else:
            if current is not None:
                packed.append(current)
            current, room = shifted, span
    if current is not None:
        packed.append(current)
    return packed


def dense_index(values: Ints) -> Ints:
    """Each value's position among the distinct values, ascending (``np.unique(…, return_inverse=True)[1]``), by a
    presence table when the values are small enough, which needs no sort."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * values.size + 1_000_000:
        return np.unique(values, return_inverse=True)[1].ravel()
    present = np.zeros(high - low + 1, dtype=np.int64)
    present[values - low] = 1
    return (np.cumsum(present) - 1)[values - low]


def sort_within(apps: Ints, s: Exact) -> Ints:
    """Row order sorting each application's review scores ascending (apps is already sorted)."""
    if s.dtype != object:
        return lexsort_pairs(apps, s)
    values = s.tolist()
    return np.array(sorted(range(len(values)), key=lambda i: (int(apps[i]), values[i])), dtype=np.int64)


def outliers(sorted_s: Exact, starts: Ints, counts: Ints, gap: Fraction, scale: int) -> Bools:
    """|review − median of the other reviews| > gap, for applications with ≥ 3 reviews; in integers:
    |2·Ls − L·(2·median)| · q > 2·p·L for gap = p/q. With the scores of one application sorted, the others' median
    sits at positions (m−1)//2 and m//2 (m = n − 1) of the list without the review, shifted by one past it."""
    n = np.repeat(counts, counts)
    first = np.repeat(starts, counts)
    position = np.arange(sorted_s.size) - first
    m = n - 1
    lo, hi = (m - 1) // 2, m // 2
    valid = n >= 3
    left = np.where(valid, first + lo + (lo >= position), first)
    right = np.where(valid, first + hi + (hi >= position), first)
    distance = np.abs(2 * sorted_s - sorted_s[left] - sorted_s[right])
    far: Bools = np.asarray(distance * gap.denominator > 2 * gap.numerator * scale, dtype=bool)
    return valid & far


def order_key(num: Exact, den: Exact) -> Ints:
    """Dense ranks (0 = smallest) of the exact rationals num/den (den > 0): equal ranks exactly when equal values.

    Sorted by the correctly rounded quotient, which is monotone (x < y ⇒ fl(x) ≤ fl(y)); a float tie between two
    different reduced fractions is detected and then settled with Fraction. Needs |num|, den < 2⁵³ in int64 (else
    Python integers, dtype=object)."""
    if num.size == 0:
        return np.zeros(0, dtype=np.int64)
    if num.dtype != object and den.dtype != object and (den == den[0]).all():
        # One denominator (every application with as many reviews): the numerators order themselves, exactly.
        order = np.argsort(num, kind="stable")
        ranked = num[order]
        dense = np.r_[0, np.cumsum(ranked[1:] != ranked[:-1])].astype(np.int64)
        out = np.empty(dense.size, dtype=np.int64)
        out[order] = dense
        return out
    g = np.gcd(num, den)
    num, den = num // g, den // g
    if num.dtype == object or den.dtype == object:
        approx = np.array([a / b for a, b in zip(num.tolist(), den.tolist(), strict=True)], dtype=np.float64)
    else:
        approx = num.astype(np.float64) / den.astype(np.float64)
    order = np.argsort(approx, kind="stable")
    a, n, d = approx[order], num[order], den[order]
    same = a[1:] == a[:-1]
    if (same & ((n[1:] != n[:-1]) | (d[1:] != d[:-1]))).any():
        values = [Fraction(int(x), int(y)) for x, y in zip(num.tolist(), den.tolist(), strict=True)]
        index = {v: i for i, v in enumerate(sorted(set(values)))}
        return np.array([index[v] for v in values], dtype=np.int64)
    dense = np.r_[0, np.cumsum(~same)].astype(np.int64)
    out = np.empty(dense.size, dtype=np.int64)
    out[order] = dense
    return out
