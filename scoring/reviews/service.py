"""What an assigned expert sees of an assignment: the answers as submitted (blind where the round says so), the
rubric, and their own scores. Another expert's assignment reads as missing (``scoring.access``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.paging import Page, PageParams, fetch_page
from programmes.fasttrack.schemas import OriginRead
from programmes.fasttrack.service import origin_of
from programmes.tables import Criterion
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.access import ASSIGNMENTS
from scoring.reviews.blind import blind_answers_of
from scoring.reviews.schemas import ExpertAssignmentView, ExpertCriterion
from scoring.tables import ReviewAssignment

VIEW_COLUMNS = (
    ReviewAssignment.id,
    ReviewAssignment.expert,
    ReviewAssignment.status,
    ReviewAssignment.application,
    ReviewAssignment.scores,
    ReviewAssignment.comment,
    ReviewAssignment.comment_shareable,
    ReviewAssignment.submitted_at,
    ReviewAssignment.due_at,
    ReviewAssignment.application._.title.as_alias("title"),
    # The frozen submission, never the working copy an applicant may be editing after a return.
    ReviewAssignment.application._.submitted_answers.as_alias("answers"),
    ReviewAssignment.application._.round.as_alias("round_id"),
    ReviewAssignment.application._.round._.name.as_alias("round_name"),
    ReviewAssignment.application._.round._.blind.as_alias("blind"),
    ReviewAssignment.application._.organisation._.name.as_alias("organisation_name"),
)


async def my_assignments(principal: Principal, paging: PageParams) -> Page[ExpertAssignmentView]:
    """The expert's live assignments (to score, or scored), oldest first: one declined with a conflict, removed or
    retracted is no longer theirs. One query for the page, one for the total, the rubrics and blind forms in bulk."""
    query = ReviewAssignment.select(*VIEW_COLUMNS).order_by(ReviewAssignment.id).output(load_json=True)
    mine = (ReviewAssignment.expert == principal.user_id) & ReviewAssignment.status.is_in(
        REVIEW_ASSIGNMENT.states_with("live")
    )
    page = await fetch_page(ReviewAssignment, query, paging, mine)
    return page.map(await _views(page.items))


async def expert_view(principal: Principal, assignment_id: int) -> ExpertAssignmentView:
    """The assigned expert's view of the answers as submitted. Blind rounds omit the organisation and answers marked
    ``identifying`` in any form version the application or its round had (scoring.reviews.blind)."""
    row = await load(principal, ASSIGNMENTS.table, assignment_id, "expert", columns=VIEW_COLUMNS, load_json=True)
    return (await _views([row]))[0]


async def origin_for_expert(principal: Principal, assignment_id: int) -> OriginRead | None:
    """The fast-track origin (直通来源) of the reviewed application; in a blind round nothing, not even whether
    there is one (issue 14)."""
    row = await load(principal, ASSIGNMENTS.table, assignment_id, "expert", columns=VIEW_COLUMNS)
    return await origin_of(int(row["application"]), blind=bool(row["blind"]))


async def _views(rows: Sequence[dict[str, Any]]) -> list[ExpertAssignmentView]:
    criteria = await _criteria_named({r["round_id"] for r in rows})
    # By every form version the application and its round ever had, not the round's current form only.
    blind = await blind_answers_of({r["application"]: r["answers"] or {} for r in rows if r["blind"]})
    return [
        ExpertAssignmentView(
            assignment_id=r["id"],
            status=r["status"],
            round_id=r["round_id"],
            round_name=r["round_name"],
            blind=r["blind"],
            application_id=r["application"],
            title=r["title"],
            answers=blind[r["application"]] if r["blind"] else r["answers"] or {},
            organisation_name=None if r["blind"] else r["organisation_name"],
            criteria=criteria.get(r["round_id"], []),
            scores=r["scores"] or {},
            comment=r["comment"],
            comment_shareable=r["comment_shareable"],
            submitted_at=r["submitted_at"],
            due_at=r["due_at"],
        )
        for r in rows
    ]


async def _criteria_named(round_ids: set[int]) -> dict[int, list[ExpertCriterion]]:
    rows = (
        await Criterion.select(
            Criterion.round,
            Criterion.code,
            Criterion.name,
            Criterion.weight,
            Criterion.max_score,
            Criterion.allow_na,
            Criterion.comment_below,
            Criterion.anchors,
        )
        .where(Criterion.round.is_in(sorted(round_ids) or [0]))
        .order_by(Criterion.round)
        .order_by(Criterion.position)
        .output(load_json=True)
    )
    out: dict[int, list[ExpertCriterion]] = {}
    for r in rows:
        out.setdefault(r.pop("round"), []).append(ExpertCriterion(**r))
    return out
