"""The matching problem as plain data: what the pure solver (``programmes.matching.solver``) takes and returns.

Pure: no database, web or queue import (tests/unit/test_matching_solver.py checks it). The session service builds a
``Problem`` from the rows in scope — demands still wanting providers, approved offers with free capacity, and the
allowed pairs with their explainable scores (``programmes.matching.score``) — and writes the ``Solution`` back as
the session's preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Why a demand is left unmatched (stable codes; zh-CN in UNMATCHED_ZH).
NO_CANDIDATE = "no_candidate"  # no approved offer in the session's scope fits it at all
FORBIDDEN = "forbidden"  # offers would fit, but every pair is excluded by a rule (conflict, out of area, …)
CAPACITY_TAKEN = "capacity_taken"  # its candidates' capacity went to pairs that score higher overall
NOT_WORTH = "not_worth"  # a pair exists and is free, but adding it would lower the objective (negative net score)

UNMATCHED_ZH: dict[str, str] = {
    NO_CANDIDATE: "范围内没有符合条件的服务项目",
    FORBIDDEN: "符合条件的服务项目均因规则排除（利益冲突、跨区限制等）",
    CAPACITY_TAKEN: "候选服务项目的承接能力已分配给整体得分更高的对接",
    NOT_WORTH: "候选对接得分过低",
}


@dataclass(frozen=True)
class DemandSlot:
    demand_id: int
    wanted: int  # providers still wanted (providers_wanted minus live orders)


@dataclass(frozen=True)
class OfferSlot:
    offer_id: int
    free: int  # capacity minus orders holding it


@dataclass(frozen=True)
class Candidate:
    """An allowed pair and its score: the sum of ``terms`` (integer points, so the optimum is exact)."""

    demand_id: int
    offer_id: int
    score: int
    terms: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    demands: tuple[DemandSlot, ...]
    offers: tuple[OfferSlot, ...]
    candidates: tuple[Candidate, ...]
    # Points lost per wanted provider left unmatched: maximise Σ score − penalty × unmatched units.
    unmatched_penalty: int = 0
    # Demands with fitting offers whose every pair a rule excluded (for explanations): demand_id -> rule code.
    forbidden: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnmatchedExplanation:
    """Why a demand keeps ``wanted − matched`` units unmatched, with the evidence (see solver_explain.py)."""

    demand_id: int
    reason: str  # one of the codes above
    wanted: int
    matched: int
    # capacity_taken: the full offers among its unused candidates that would add value (best first);
    # not_worth: its unused candidates' offers (best first). Empty for no_candidate / forbidden.
    offers: tuple[int, ...] = ()
    best_score: int | None = None  # the best score among its unused candidates
    # capacity_taken: the lowest score among the pairs holding the best candidate's offer (never below best_score);
    # None when that offer had no free capacity before the session (held by earlier orders).
    rival_score: int | None = None
    rule: str | None = None  # forbidden: the rule code from Problem.forbidden


@dataclass(frozen=True)
class Solution:
    pairs: tuple[Candidate, ...]  # each (demand, offer) at most once
    unmatched: Mapping[int, str]  # demand_id -> reason code, for every demand with wanted units left
    objective: int  # Σ pair scores − penalty × unmatched units
    optimal: bool
    explanations: Mapping[int, UnmatchedExplanation] = field(default_factory=dict)  # same keys as ``unmatched``
    solver: str = ""  # what produced it (library, graph size; the fallback when the exact solver failed)
