"""The submitted reviews of one entry, for the review side's port (``programmes.ports.ReviewSide``): a graduation
(结项评估) decision attaches them to the supported project. Each review's score is the round rubric's weighted mean
(``scoring.aggregation.review_score``), the same number a ranking starts from."""

from __future__ import annotations

from programmes.ports import SubmittedReview
from programmes.tables import Application
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.aggregation import review_score
from scoring.ranking import rubric
from scoring.tables import ReviewAssignment


async def submitted_reviews(application_id: int) -> list[SubmittedReview]:
    entry = await Application.select(Application.round).where(Application.id == application_id).first()
    if entry is None:
        return []
    criteria = await rubric(int(entry["round"]))
    rows = (
        await ReviewAssignment.select(
            ReviewAssignment.expert,
            ReviewAssignment.expert._.username.as_alias("expert_name"),
            ReviewAssignment.scores,
            ReviewAssignment.comment,
            ReviewAssignment.submitted_at,
        )
        .where(
            (ReviewAssignment.application == application_id)
            & (ReviewAssignment.status == ReviewAssignmentStatus.submitted)
        )
        .order_by(ReviewAssignment.expert)
        .output(load_json=True)
    )
    return [
        SubmittedReview(
            expert_id=int(r["expert"]),
            expert_name=str(r["expert_name"]),
            scores=dict(r["scores"] or {}),
            score=round(float(review_score(criteria, r["scores"] or {})), 2),
            comment=str(r["comment"] or ""),
            submitted_at=r["submitted_at"],
        )
        for r in rows
    ]
