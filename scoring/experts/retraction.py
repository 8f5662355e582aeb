"""A conflict of interest found after assignment (利益冲突事后发现): the expert's live assignments on the
organisation's applications (and those of the groups it keeps, 财务代管) are retracted through the review workflow;
a submitted review thereby leaves the aggregation (only ``submitted`` reviews are read). A closed round not yet on
公示 is ranked again without it; on 公示 its ranking entry is flagged ``conflict_review_retracted:<expert>`` for the
re-review. The applications are then refilled by the incremental reassignment, and the audit log says all of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.auth.principal import Principal
from app.uow import unit_of_work
from app.workflow.engine import Actor, transition
from programmes.workflows import RoundStatus
from programmes.workflows.review import REVIEW_ASSIGNMENT, ReviewAssignmentStatus
from scoring.assignments.service import reassign
from scoring.ranking import rerank_round
from scoring.tables import Publication, RankingEntry, ReviewAssignment


@dataclass(frozen=True)
class Retraction:
    """What a conflict found later retracted (the audit row's ``after``; the applications to refill)."""

    expert_id: int
    organisation_id: int
    retracted_assignment_ids: list[int]
    excluded_review_ids: list[int]
    reranked_round_ids: list[int]
    flagged_application_ids: list[int]
    application_ids: list[int]


async def retract_conflicted(
    principal: Principal, conflict_id: int, expert_id: int, organisation_id: int, reason: str
) -> Retraction:
    """Retract, in the caller's transaction. Returns what was retracted, for the audit row and the reassignment."""
    on_org = ReviewAssignment.application._.organisation == organisation_id
    on_kept = ReviewAssignment.application._.organisation._.custodian == organisation_id
    rows = (
        await ReviewAssignment.select(
            ReviewAssignment.id,
            ReviewAssignment.application,
            ReviewAssignment.status,
            ReviewAssignment.application._.round.as_alias("round_id"),
            ReviewAssignment.application._.round._.status.as_alias("round_status"),
        )
        .where(
            (ReviewAssignment.expert == expert_id)
            & ReviewAssignment.status.is_in(REVIEW_ASSIGNMENT.states_with("live"))
            & (on_org | on_kept)
        )
        .order_by(ReviewAssignment.id)
    )
    system = Actor.system()
    retracted, submitted, reranked, flagged = [], [], set(), []
    for row in rows:
        # Under the assignment's row lock: one that was declined, removed or retracted meanwhile is left alone.
        locked = (
            await ReviewAssignment.select(ReviewAssignment.status)
            .where(ReviewAssignment.id == row["id"])
            .lock_rows("UPDATE")
        )
        if not REVIEW_ASSIGNMENT.has(locked[0]["status"], "live"):
            continue
        result = await transition(ReviewAssignment, row["id"], "retract_conflict", system, reason=f"利益冲突：{reason}")
        retracted.append(row["id"])
        if result.before != ReviewAssignmentStatus.submitted:
            continue
        submitted.append(row["id"])
        if row["round_status"] != RoundStatus.closed:
            continue  # not ranked yet: the ranking will not see the review
        if await Publication.exists().where(Publication.round == row["round_id"]):
            entry = (
                await RankingEntry.select(RankingEntry.id, RankingEntry.flags)
                .where(RankingEntry.application == row["application"])
                .first()
                .output(load_json=True)
            )
            if entry is not None:
                flags = [*(entry["flags"] or []), f"conflict_review_retracted:{expert_id}"]
                await RankingEntry.update({RankingEntry.flags: flags}).where(RankingEntry.id == entry["id"])
                flagged.append(row["application"])
        else:
            reranked.add(row["round_id"])
    for round_id in sorted(reranked):
        await rerank_round(round_id)
    summary = Retraction(
        expert_id=expert_id,
        organisation_id=organisation_id,
        retracted_assignment_ids=retracted,
        excluded_review_ids=submitted,
        reranked_round_ids=sorted(reranked),
        flagged_application_ids=flagged,
        application_ids=sorted({r["application"] for r in rows if r["id"] in retracted}),
    )
    if retracted:
        async with unit_of_work(Actor.of(principal)) as uow:  # joins the caller's unit
            await uow.audit(
                "conflict.retract_assignments",
                "conflict_of_interest",
                conflict_id,
                after=asdict(summary),
                reason=reason,
            )
    return summary


async def refill(principal: Principal, conflict_id: int, application_ids: list[int]) -> dict[int, int]:
    """After the retraction committed: the incremental reassignment, one application at a time (audited)."""
    added = {application_id: await reassign(application_id) for application_id in application_ids}
    if added:
        async with unit_of_work(Actor.of(principal)) as uow:
            await uow.audit(
                "conflict.reassign",
                "conflict_of_interest",
                conflict_id,
                after={"replacements": {str(a): n for a, n in added.items()}},
            )
    return added
