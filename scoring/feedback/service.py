"""评审反馈: what an applicant organisation learns about its entry once the round's 公示 has ended.

Never before the notice period ends (409 ``feedback_not_available``), and never anything that names or singles out
an expert: per criterion the mean and the min–max of the submitted reviews — withheld while fewer than
``MIN_REVIEWS`` reviews scored it, since one review's "mean" *is* that expert's score —, the comments experts marked
shareable (sorted by text, so their order says nothing about who wrote which), the rank band rather than the rank,
and the next step (awarded / advanced to the next stage / not advanced). See docs/feedback.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict
from app.timezone import now_utc, shown
from programmes.applications.access import APPLICATIONS
from programmes.applications.carry import next_stage
from programmes.tables import Application, Award, Criterion
from programmes.workflows.disbursement import AwardStatus
from programmes.workflows.publication import PublicationStatus
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.feedback.schemas import RANK_BANDS_ZH, CriterionFeedback, FeedbackRead, NextStep, RankBand
from scoring.tables import Publication, RankingEntry, ReviewAssignment

MIN_REVIEWS = 2  # fewer submitted scores than this on a criterion: no mean or range (it would be one expert's)


def rank_band(rank: int, ranked: int) -> RankBand:
    """The band by the share of ranked entries ahead of this one (ties share a rank, so they share a band)."""
    ahead = (rank - 1) * 100  # compared with percentages of ``ranked`` in integers: no float edges
    if ahead < 10 * ranked:
        return RankBand.top_10
    if ahead < 30 * ranked:
        return RankBand.from_10_to_30
    if ahead < 60 * ranked:
        return RankBand.from_30_to_60
    return RankBand.rest


def criterion_feedback(
    criteria: Sequence[Mapping[str, Any]], reviews: Sequence[Mapping[str, Any]]
) -> list[CriterionFeedback]:
    """Per criterion, over the submitted reviews that scored it (N/A left out)."""
    out = []
    for criterion in criteria:
        values = [int(v) for r in reviews if (v := (r["scores"] or {}).get(criterion["code"])) is not None]
        enough = len(values) >= MIN_REVIEWS
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP) if enough else None
        out.append(
            CriterionFeedback(
                code=criterion["code"],
                name=criterion["name"],
                max_score=criterion["max_score"],
                scored_reviews=len(values),
                mean=None if mean is None else str(mean),
                min=min(values) if enough else None,
                max=max(values) if enough else None,
            )
        )
    return out


async def feedback(principal: Principal, application_id: int) -> FeedbackRead:
    """The organisation's members (and its custodian centre's) read their entry's feedback after the 公示 ends;
    anyone else gets the uniform 404."""
    row = await load(
        principal,
        APPLICATIONS.table,
        application_id,
        "member",
        columns=(
            Application.id,
            Application.organisation,
            Application.title,
            Application.round,
            Application.round._.name.as_alias("round_name"),
        ),
    )
    round_id = int(row["round"])
    notice = await _ended_notice(round_id)
    reviews = (
        await ReviewAssignment.select(
            ReviewAssignment.scores, ReviewAssignment.comment, ReviewAssignment.comment_shareable
        )
        .where(
            (ReviewAssignment.application == application_id)
            & (ReviewAssignment.status == ReviewAssignmentStatus.submitted)
        )
        .output(load_json=True)
    )
    criteria = (
        await Criterion.select(Criterion.code, Criterion.name, Criterion.max_score)
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
        .order_by(Criterion.id)
    )
    ranked = (
        await RankingEntry.select(RankingEntry.rank, RankingEntry.weighted_mean, RankingEntry.review_count)
        .where(RankingEntry.application == application_id)
        .first()
    )
    ranked_entries = int(await RankingEntry.count().where(RankingEntry.round == round_id))
    step, step_zh, next_round = await _next_step(application_id, round_id, notice)
    band = rank_band(int(ranked["rank"]), ranked_entries) if ranked is not None else None
    overall = f"{ranked['weighted_mean']:.2f}" if ranked is not None and ranked["review_count"] >= MIN_REVIEWS else None
    return FeedbackRead(
        application_id=application_id,
        title=row["title"],
        round_id=round_id,
        round_name=row["round_name"],
        notice_ended_at=notice["ends_at"],
        result_final=notice["status"] == PublicationStatus.final,
        reviews=len(reviews),
        criteria=criterion_feedback(criteria, reviews),
        overall_score=overall,
        comments=sorted(r["comment"].strip() for r in reviews if r["comment_shareable"] and r["comment"].strip()),
        rank_band=band,
        rank_band_zh=RANK_BANDS_ZH[band] if band is not None else None,
        ranked_entries=ranked_entries,
        next_step=step,
        next_step_zh=step_zh,
        next_round_name=next_round,
    )


async def _ended_notice(round_id: int) -> dict[str, Any]:
    notice = (
        await Publication.select(Publication.ends_at, Publication.entries, Publication.status)
        .where(Publication.round == round_id)
        .first()
        .output(load_json=True)
    )
    if notice is None:
        raise conflict("feedback_not_available", "本轮尚未公示，公示期结束后方可查看评审反馈")
    if now_utc() < notice["ends_at"]:
        raise conflict(
            "feedback_not_available", f"公示期至 {shown(notice['ends_at']):%Y-%m-%d %H:%M} 结束，期满后方可查看评审反馈"
        )
    return dict(notice)


async def _next_step(application_id: int, round_id: int, notice: Mapping[str, Any]) -> tuple[NextStep, str, str | None]:
    if await Award.exists().where((Award.application == application_id) & (Award.status == AwardStatus.active)):
        return NextStep.awarded, "已确定资助", None
    if application_id not in {e["application_id"] for e in notice["entries"] or []}:
        return NextStep.not_advanced, "未列入公示名单，未晋级", None
    # The entry carried into the next stage names it; before the carry, the stage order does.
    carried = (
        await Application.select(Application.round._.name.as_alias("name"))
        .where(Application.carried_from == application_id)
        .order_by(Application.id)
        .first()
    )
    following = carried or await next_stage(round_id)
    if following is None:
        return NextStep.advanced, "已列入公示名单（入围）", None
    return NextStep.advanced, f"已晋级：{following['name']}", str(following["name"])
