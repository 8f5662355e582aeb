"""A round's mentor problem read from the database for the pure reviewer solver (scoring.assignment): the
supported projects (selected or awarded), the mentors (expert pool, mentor flag on) with their remaining load, the
conflict-of-interest pairs (scoring.experts.conflicts — the reviewers' rules) plus pairs that ended, and the live
pairs that stay. Reads only; the solver is the reviewers' one with k = mentors per project."""

from __future__ import annotations

from app.errors import DomainError
from programmes.tables import Application
from programmes.workflows.contest import ApplicationStatus
from programmes.workflows.mentorship import MENTORSHIP
from scoring.assignment import (
    ApplicationProfile,
    AssignmentInfeasible,
    AssignmentResult,
    ExpertProfile,
    assign_reviewers,
)
from scoring.assignments.problem import shortfall_errors
from scoring.experts.conflicts import expert_affiliation_labels, forbidden_pairs
from scoring.mentors.tables import MentorProfile, Mentorship
from scoring.tables import ExpertProfile as ExpertProfileRow

# The projects 沪社星耀 supports: selected, then awarded (signed).
SUPPORTED = [ApplicationStatus.selected, ApplicationStatus.awarded]
LIVE = MENTORSHIP.states_with("live")


async def live_load(mentor_ids: list[int]) -> dict[int, int]:
    rows = await Mentorship.select(Mentorship.mentor).where(
        Mentorship.mentor.is_in(mentor_ids or [0]) & Mentorship.status.is_in(LIVE)
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[int(row["mentor"])] = counts.get(int(row["mentor"]), 0) + 1
    return counts


async def solve(round_id: int, k: int) -> AssignmentResult:
    projects = (
        await Application.select(
            Application.id, Application.submitted_answers, Application.track._.name.as_alias("track_name")
        )
        .where((Application.round == round_id) & Application.status.is_in(SUPPORTED))
        .order_by(Application.id)
        .output(load_json=True)
    )
    pool = {int(r["expert"]) for r in await ExpertProfileRow.select(ExpertProfileRow.expert)}
    mentors = [
        m
        for m in await MentorProfile.select().where(MentorProfile.mentor.eq(True)).output(load_json=True)
        if int(m["expert"]) in pool
    ]
    ids = [int(m["expert"]) for m in mentors]
    pairs = await Mentorship.select(Mentorship.application, Mentorship.mentor, Mentorship.status).where(
        Mentorship.application._.round == round_id
    )
    here = {(int(p["application"]), int(p["mentor"])) for p in pairs if p["status"] in LIVE}
    ended = {(int(p["application"]), int(p["mentor"])) for p in pairs if p["status"] not in LIVE}
    # The cap is across rounds: live mentorships elsewhere use part of it (those here are locked pairs, counted).
    elsewhere = {m: n - sum(1 for _, who in here if who == m) for m, n in (await live_load(ids)).items()}
    affiliations = await expert_affiliation_labels(ids)
    experts = [
        ExpertProfile(
            id=int(m["expert"]),
            max_load=max(0, int(m["max_projects"]) - elsewhere.get(int(m["expert"]), 0)),
            tags=frozenset(m["domains"] or []),
            domains=frozenset(m["domains"] or []),
            affiliations=affiliations.get(int(m["expert"]), frozenset()),
        )
        for m in mentors
    ]
    applications = [
        ApplicationProfile(
            id=int(p["id"]),
            tags=frozenset(t for t in (p["submitted_answers"] or {}).get("tags", []) if isinstance(t, str)),
            domain=p["track_name"],
            track=p["track_name"],
        )
        for p in projects
    ]
    forbidden = await forbidden_pairs(a.id for a in applications) | ended
    try:
        return assign_reviewers(applications, experts, k, forbidden=forbidden, locked=here, mode="total")
    except AssignmentInfeasible as infeasible:
        raise DomainError(
            "mentor_assignment_infeasible",
            f"无法为每个扶持项目配齐导师：{infeasible}",
            409,
            shortfall_errors(infeasible.shortfalls),
        ) from infeasible
