"""A round's assignment problem read from the database for the pure solver (scoring.assignment): the applications
that may get experts, the available experts, the forbidden pairs (conflicts, pairs that ended) and the pairs that
stay (live assignments). Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import DomainError, FieldError
from app.timezone import now_utc
from programmes.applications.gate import passing
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.assignment import (
    ApplicationProfile,
    AssignmentInfeasible,
    AssignmentResult,
    ExpertProfile,
    Mode,
    Shortfall,
    assign_reviewers,
)
from scoring.assignment_partial import PartialResult, assign_what_can_be_staffed
from scoring.experts.conflicts import expert_affiliation_labels, forbidden_pairs
from scoring.tables import ExpertProfile as ExpertProfileRow
from scoring.tables import ReviewAssignment


@dataclass(frozen=True)
class Problem:
    k: int  # reviewers per application
    applications: list[ApplicationProfile]
    experts: list[ExpertProfile]
    forbidden: set[tuple[int, int]]
    locked: set[tuple[int, int]]


async def problem(round_id: int, only: list[int] | None = None) -> Problem:
    round_row = await Round.select(Round.reviews_per_application).where(Round.id == round_id).first()
    assert round_row is not None
    query = Application.select(
        Application.id, Application.submitted_answers, Application.track._.name.as_alias("track_name")
    ).where(
        (Application.round == round_id)
        & Application.status.is_in(APPLICATION.states_with("reviewable"))
        # The eligibility gate: only screened-eligible or officer-overridden applications get experts.
        & passing()
    )
    if only is not None:
        query = query.where(Application.id.is_in(only or [0]))
    applications = await query.order_by(Application.id).output(load_json=True)
    today = now_utc().date()
    experts = await ExpertProfileRow.select().output(load_json=True)
    experts = [
        e
        for e in experts
        if (e["available_from"] is None or e["available_from"] <= today)
        and (e["available_until"] is None or e["available_until"] >= today)
    ]
    affiliations = await expert_affiliation_labels(e["expert"] for e in experts)
    existing = await ReviewAssignment.select(
        ReviewAssignment.application, ReviewAssignment.expert, ReviewAssignment.status
    ).where(ReviewAssignment.application._.round == round_id)
    live = [r for r in existing if REVIEW_ASSIGNMENT.has(r["status"], "live")]
    # A declined or removed pair keeps its row (one per pair, unique in the database): never propose it again.
    ended = {(r["application"], r["expert"]) for r in existing if not REVIEW_ASSIGNMENT.has(r["status"], "live")}
    return Problem(
        k=round_row["reviews_per_application"],
        applications=[
            ApplicationProfile(
                id=a["id"],
                tags=frozenset(t for t in (a["submitted_answers"] or {}).get("tags", []) if isinstance(t, str)),
                domain=a["track_name"],
                track=a["track_name"],
            )
            for a in applications
        ],
        experts=[
            ExpertProfile(
                id=e["expert"],
                max_load=e["max_load_per_round"],
                tags=frozenset(e["tags"] or []),
                domains=frozenset(e["domains"] or []),
                tracks=frozenset(e["domains"] or []),
                affiliations=affiliations.get(e["expert"], frozenset()),
            )
            for e in experts
        ],
        forbidden=await forbidden_pairs(a["id"] for a in applications) | ended,
        locked={(r["application"], r["expert"]) for r in live},
    )


async def solve(round_id: int, mode: Mode, only: list[int] | None = None) -> AssignmentResult:
    found = await problem(round_id, only)
    try:
        return assign_reviewers(
            found.applications, found.experts, found.k, forbidden=found.forbidden, locked=found.locked, mode=mode
        )
    except AssignmentInfeasible as infeasible:
        raise DomainError(
            "assignment_infeasible",
            f"无法为每个申报分配足够的评审专家：{infeasible}",
            409,
            shortfall_errors(infeasible.shortfalls),
        ) from infeasible


async def solve_partial(round_id: int, mode: Mode) -> PartialResult:
    found = await problem(round_id)
    return assign_what_can_be_staffed(
        found.applications, found.experts, found.k, forbidden=found.forbidden, locked=found.locked, mode=mode
    )


def shortfall_errors(shortfalls: tuple[Shortfall, ...]) -> list[FieldError]:
    """errors[]: one entry per application a shortfall names (application id, needed, eligible, reason code), one
    per shortfall that names none (capacity, experts' minimum loads)."""
    out = []
    for s in shortfalls:
        facts = {"needed": s.needed, "eligible": s.eligible, "expert_ids": list(s.expert_ids)}
        for application_id in s.application_ids or (None,):
            field = "round" if application_id is None else f"applications.{application_id}"
            out.append(FieldError(field, s.code, s.message, {"application_id": application_id, **facts}))
    return out
