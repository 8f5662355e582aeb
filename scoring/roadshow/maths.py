"""The roadshow's pure rules: the presentation order from a seed, the public vote blended into the judges' result,
and each judge's spread. No I/O (an import-linter "pure" module). Formulas: docs/roadshow.md.

Anyone can recompute the order: ``presentation_order(seed, entries)`` with the revealed seed and the session's
entry ids gives the published order (CPython's ``random.Random`` seeded with a ``str`` hashes it with SHA-512,
stable across Python versions since 3.2).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


def presentation_order(seed: str, entries: Sequence[int]) -> list[int]:
    """The entries (application ids) in presentation order. Sorted first, so the order the rows arrived in never
    changes the outcome of a seed."""
    order = sorted(set(entries))
    random.Random(seed).shuffle(order)  # noqa: S311 — reproducibility is the point; nothing secret is derived
    return order


def vote_component(votes: Mapping[int, int], top: int) -> dict[int, Fraction]:
    """Public votes on the rubric's scale: the most-voted entry gets ``top``, the others in proportion; all 0
    without any vote."""
    most = max(votes.values(), default=0)
    return {app: Fraction(count * top, most) if most else Fraction(0) for app, count in votes.items()}


def blend(judges: Fraction | Decimal, public: Fraction, weight_percent: int) -> Fraction:
    """(100 − w)% of the judges' score (the round's aggregation method) + w% of the public vote component."""
    return Fraction(judges) * Fraction(100 - weight_percent, 100) + public * Fraction(weight_percent, 100)


@dataclass(frozen=True)
class Placed:
    application_id: int
    rank: int
    score: Fraction


def blended_ranking(
    judged: Sequence[tuple[int, int, Fraction | Decimal]],
    votes: Mapping[int, int],
    weight_percent: int,
    top: int,
) -> list[Placed]:
    """``judged``: (application id, judges' rank, judges' score) in the round's ranking order (its tie-break rules
    applied). Blended score higher first; equal blended scores keep the judges' order, and share a rank only when
    the judges' ranks tie too (competition ranking 1, 2, 2, 4)."""
    public = vote_component({app: votes.get(app, 0) for app, _, _ in judged}, top)
    scored = [
        (blend(score, public[app], weight_percent), position, app, rank)
        for position, (app, rank, score) in enumerate(judged)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    out: list[Placed] = []
    for place, (score, _, app, judges_rank) in enumerate(scored, start=1):
        previous = out[-1] if out else None
        tied = previous is not None and previous.score == score and scored[place - 2][3] == judges_rank
        out.append(Placed(app, previous.rank if tied and previous else place, score))
    return out


@dataclass(frozen=True)
class JudgeSpread:
    expert_id: int
    scored: int
    mean: float
    spread: float  # population SD of the scores this judge gave
    mean_offset: float  # mean of (this judge's score − the other judges' mean for the entry); 0 when alone


def judge_spreads(reviews: Sequence[tuple[int, int, Fraction]]) -> list[JudgeSpread]:
    """Per judge (ascending id), from (application id, expert id, review score): how they use the scale and how far
    they sit from the others on the same entries."""
    by_app: dict[int, list[tuple[int, Fraction]]] = {}
    for app, expert, score in reviews:
        by_app.setdefault(app, []).append((expert, score))
    given: dict[int, list[Fraction]] = {}
    offsets: dict[int, list[Fraction]] = {}
    for scores in by_app.values():
        total = sum((s for _, s in scores), Fraction(0))
        for expert, score in scores:
            given.setdefault(expert, []).append(score)
            if len(scores) > 1:
                offsets.setdefault(expert, []).append(score - (total - score) / (len(scores) - 1))
    out = []
    for expert in sorted(given):
        values = given[expert]
        mean = sum(values, Fraction(0)) / len(values)
        variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)
        own = offsets.get(expert, [])
        offset = sum(own, Fraction(0)) / len(own) if own else Fraction(0)
        out.append(JudgeSpread(expert, len(values), float(mean), math.sqrt(variance), float(offset)))
    return out
