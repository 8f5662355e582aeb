"""Partial assignment (pure, no I/O): when not every application can get k reviewers, staff every application
that can be staffed and list the rest with the reason — an officer's explicit choice (``partial=true``), never
the default, which refuses with 409 ``assignment_infeasible``.

Greedy and deterministic: applications the shortfall names as lacking eligible experts are set aside at once (they
can never be staffed); under contention or short capacity, the contended application with the fewest eligible
experts (then the highest id: the latest) is set aside, one at a time, until the rest is feasible. Each set-aside
application keeps the pairs it already has and gets no new ones.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.assignment import (
    ApplicationProfile,
    AssignmentInfeasible,
    AssignmentResult,
    ExpertProfile,
    Shortfall,
    assign_reviewers,
)


@dataclass(frozen=True)
class Unstaffed:
    application_id: int
    code: str  # too_few_eligible_experts | contention | capacity_short | infeasible
    needed: int  # reviewers still needed
    eligible: int  # experts who may review it and have load left
    message: str


@dataclass(frozen=True)
class PartialResult:
    result: AssignmentResult | None  # None when no application can be staffed
    unstaffed: tuple[Unstaffed, ...]


def eligible_experts(
    application: ApplicationProfile,
    experts: Sequence[ExpertProfile],
    forbidden: Collection[tuple[int, int]],
    locked: Collection[tuple[int, int]],
) -> int:
    """Experts with load left who may review the application and do not already."""
    load = {x.id: 0 for x in experts}
    for _, expert in locked:
        if expert in load:
            load[expert] += 1
    mine = {e for a, e in locked if a == application.id}
    return sum(
        1 for x in experts if load[x.id] < x.max_load and (application.id, x.id) not in forbidden and x.id not in mine
    )


def assign_what_can_be_staffed(
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    k: int,
    *,
    forbidden: Collection[tuple[int, int]] = (),
    locked: Collection[tuple[int, int]] = (),
    **options: Any,
) -> PartialResult:
    """``assign_reviewers`` on the largest set the greedy keeps; the others come back as ``unstaffed``."""
    forbidden, locked = set(forbidden), set(locked)
    remaining = list(applications)
    aside: list[Unstaffed] = []

    def need(a: ApplicationProfile) -> int:
        return k - sum(1 for app, _ in locked if app == a.id)

    def set_aside(a: ApplicationProfile, s: Shortfall) -> None:
        eligible = eligible_experts(a, experts, forbidden, locked)
        aside.append(Unstaffed(a.id, s.code, need(a), eligible, s.message))

    while remaining:
        kept = {a.id for a in remaining}
        try:
            result = assign_reviewers(
                remaining,
                experts,
                k,
                forbidden=forbidden,
                locked={(a, e) for a, e in locked if a in kept},
                **options,
            )
            return PartialResult(result, tuple(sorted(aside, key=lambda u: u.application_id)))
        except AssignmentInfeasible as infeasible:
            shortfalls = infeasible.shortfalls
        by_id = {a.id: a for a in remaining}
        hopeless = [
            (by_id[i], s) for s in shortfalls if s.code == "too_few_eligible_experts" for i in s.application_ids
        ]
        if not hopeless:
            contended = {i for s in shortfalls for i in s.application_ids if i in by_id} or set(by_id)
            shortfall = next((s for s in shortfalls if s.application_ids), shortfalls[0])
            pick = min(
                (by_id[i] for i in contended),
                key=lambda a: (eligible_experts(a, experts, forbidden, locked), -a.id),
            )
            hopeless = [(pick, shortfall)]
        for application, shortfall in hopeless:
            set_aside(application, shortfall)
        dropped = {a.id for a, _ in hopeless}
        remaining = [a for a in remaining if a.id not in dropped]
    return PartialResult(None, tuple(sorted(aside, key=lambda u: u.application_id)))
