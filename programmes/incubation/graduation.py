"""结项评估 through the review machinery: an officer in scope sends a supported project to a graduation round (a
Round with ``stage="graduation"`` in its 沪社星耀 edition, with its own rubric, blind flag and reviews per
application). The project's application is carried into that round (``programmes.applications.carry``: its answers
plus the project's record — goals, indicators against targets, milestones, the final report — and the files the
round allows) and arrives submitted, so experts are assigned and score it through the ordinary assignment and review
routes (blind rounds hide the organisation as for any entry). The officer's decision (优秀 / 合格 / 不合格 with
reasons) attaches the experts' submitted scores read through ``programmes.ports`` and is refused while fewer reviews
than the round requires are in. A 不合格 outcome may start the existing clawback path
(``programmes.clawbacks.service.demand``) in the same step."""

from __future__ import annotations

from statistics import mean
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.notifications.service import notify_organisations
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.carry import carry_and_submit, discard_files, prepare_files
from programmes.catalogue.access import ROUNDS
from programmes.clawbacks import service as clawbacks
from programmes.incubation.project_reads import award_of, indicators, milestones, read
from programmes.incubation.schemas import GraduationDecision, GraduationStart, ProjectRead
from programmes.incubation.tables import Cohort, SupportedProject
from programmes.kinds import RoundStage
from programmes.ports import SubmittedReview, review_side
from programmes.reports.tables import ProgressReport
from programmes.tables import Application, Criterion, Round
from programmes.workflows import RoundStatus
from programmes.workflows.agreements import ProgressReportStatus
from programmes.workflows.incubation import SUPPORTED_PROJECT

ACTIONS = {"excellent": "graduate_excellent", "passed": "graduate_passed", "failed": "fail"}
OUTCOME_STATE = {"excellent": "excellent", "passed": "passed", "failed": "failed"}
# The key of the carried answers that holds the project's record. A graduation form declares it as an object
# without properties (kept whole for blind experts, programmes.form_ui.strip_identifying).
RECORD_FIELD = "graduation"
REPORTED = (ProgressReportStatus.submitted, ProgressReportStatus.accepted)


async def _graduation_round(principal: Principal, project: dict[str, Any], round_id: int) -> dict[str, Any]:
    """The open graduation round of the project's edition (404 outside the officer's scope, like any round)."""
    round_row = await load(principal, ROUNDS.table, round_id, load_json=True)
    if round_row["stage"] != RoundStage.graduation:
        raise invalid("round_not_graduation", "所选轮次不是结项评估轮次", "round_id")
    cohort = await Cohort.select(Cohort.edition).where(Cohort.id == project["cohort"]).first()
    assert cohort is not None  # supported_project.cohort is a NOT NULL foreign key
    if round_row["edition"] != cohort["edition"]:
        raise invalid("round_not_in_edition", "结项评估轮次须属于项目所在的沪社星耀届次", "round_id")
    if round_row["status"] != RoundStatus.open:
        raise conflict("graduation_round_not_open", "结项评估轮次未开放，专家无法评分")
    return round_row


async def record_of(project: dict[str, Any]) -> dict[str, Any]:
    """What the experts evaluate beside the application's answers: the plan's goals, each indicator against its
    target, the milestones (with their tranches) and the final report as submitted."""
    award_id = await award_of(project)
    final = None
    if award_id is not None:
        final = (
            await ProgressReport.select(ProgressReport.answers, ProgressReport.status)
            .where(
                (ProgressReport.award == award_id)
                & (ProgressReport.kind == "final")
                & ProgressReport.status.is_in(list(REPORTED))
            )
            .first()
            .output(load_json=True)
        )
    return {
        "goals": project["goals"],
        "indicators": [i.model_dump(mode="json", exclude={"id"}) for i in await indicators(int(project["id"]))],
        "milestones": [
            m.model_dump(mode="json", include={"kind", "sequence", "due_on", "status", "late", "tranche_status"})
            for m in await milestones(award_id)
        ],
        "final_report": final["answers"] if final else None,
    }


async def _next_entry_number(round_id: int, organisation_id: int) -> int:
    """The organisation's next entry number in the graduation round: one organisation may graduate several projects
    there (each entry has its own number, ``application_one_entry``). The round's row lock orders concurrent starts
    of the same round, so two of them never pick the same number."""
    await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
    rows = await Application.select(Application.entry_number).where(
        (Application.round == round_id) & (Application.organisation == organisation_id)
    )
    return max((int(r["entry_number"]) for r in rows), default=0) + 1


async def start(principal: Principal, project_id: int, data: GraduationStart) -> ProjectRead:
    """Carry the project's application into the graduation round, submitted there for review (one entry per
    project: the project leaves ``in_progress`` under its row lock, and the entry is unique per source and round)."""
    project = await load(principal, SupportedProject, project_id)
    round_row = await _graduation_round(principal, project, data.round_id)
    source = await Application.select().where(Application.id == project["application"]).first().output(load_json=True)
    assert source is not None  # supported_project.application is a NOT NULL foreign key
    answers = {**(source["submitted_answers"] or source["answers"] or {}), RECORD_FIELD: await record_of(project)}
    files = await prepare_files(int(source["id"]), round_row, "graduation")
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            await load(principal, SupportedProject, project_id, lock=True)
            await uow.transition(SupportedProject, project_id, "start_evaluation")
            entry = {**source, "entry_number": await _next_entry_number(round_row["id"], source["organisation"])}
            # Submitted for review there and screened against the graduation round's rules, since the entry goes to
            # experts (an officer's written override works as usual).
            entry_id = await carry_and_submit(
                uow, entry, round_row, answers=answers, files=files, created_by=principal.user_id
            )
            evaluation = {"round_id": int(round_row["id"]), "entry_id": entry_id, "blind": bool(round_row["blind"])}
            await SupportedProject.update({SupportedProject.evaluation: evaluation}).where(
                SupportedProject.id == project_id
            )
    except BaseException:
        await discard_files(files)
        raise
    return await read(project_id)


async def _evaluation(project: dict[str, Any], required: int, reviews: list[SubmittedReview]) -> dict[str, Any]:
    """The decision's record: every submitted review with its expert (the organisation's read drops the names when
    blind, ``project_reads.read_for``), the mean and the mean per criterion."""
    started = project["evaluation"] or {}
    criteria = (
        await Criterion.select(Criterion.code, Criterion.name, Criterion.weight, Criterion.max_score)
        .where(Criterion.round == started["round_id"])
        .order_by(Criterion.position)
        .order_by(Criterion.id)
    )
    per_criterion = []
    for c in criteria:
        given = [v for r in reviews if (v := r.scores.get(c["code"])) is not None]
        per_criterion.append({**c, "mean": round(mean(given), 2) if given else None})
    return {
        **started,
        "reviews_required": required,
        "mean_score": round(mean(r.score for r in reviews), 2),
        "criteria": per_criterion,
        "scores": [
            {
                "expert_id": r.expert_id,
                "expert_name": r.expert_name,
                "score": r.score,
                "criteria": dict(r.scores),
                "comment": r.comment,
            }
            for r in reviews
        ],
    }


async def _reviews(project: dict[str, Any]) -> tuple[int, list[SubmittedReview]]:
    """The graduation entry's submitted reviews; 409 ``graduation_not_reviewed`` while fewer than the round asks."""
    entry_id = int((project["evaluation"] or {})["entry_id"])
    entry = await Application.select(Application.round._.reviews_per_application.as_alias("required")).where(
        Application.id == entry_id
    )
    required = int(entry[0]["required"])
    reviews = await review_side().submitted_reviews(entry_id)
    if len(reviews) < required:
        message = f"结项评估需 {required} 位专家提交评分，目前已提交 {len(reviews)} 位，暂不能作出结论"
        raise conflict("graduation_not_reviewed", message)
    return required, reviews


async def decide(principal: Principal, project_id: int, data: GraduationDecision) -> ProjectRead:
    """Record the outcome with the experts' submitted scores. A clawback is only for a 不合格 outcome, and is
    demanded in the same unit of work."""
    if data.clawback is not None and data.outcome != "failed":
        raise invalid("clawback_needs_failure", "只有评估结论为不合格时才能启动资金追回", "clawback")
    async with unit_of_work(Actor.of(principal)) as uow:
        project = await load(principal, SupportedProject, project_id, lock=True, load_json=True)
        evaluation: dict[str, Any] = {}
        if SUPPORTED_PROJECT.has(project["status"], "awaiting_outcome"):
            # Otherwise the transition below refuses with the workflow's own answer (not under evaluation).
            evaluation = await _evaluation(project, *await _reviews(project))
        clawback_id = None
        if data.clawback is not None:
            award_id = await award_of(project)
            if award_id is None:
                raise invalid("clawback_no_award", "该项目尚无资助，无法追回", "clawback")
            clawback = await clawbacks.demand(principal, award_id, data.clawback.amount_fen, data.clawback.finding)
            clawback_id = clawback.id
        await uow.transition(
            SupportedProject,
            project_id,
            ACTIONS[data.outcome],
            reason=data.reason,
            values={
                "evaluation": evaluation,
                "reason": data.reason,
                "clawback": clawback_id,
                "graduated_at": now_utc(),
            },
        )
        outcome = SUPPORTED_PROJECT.states[OUTCOME_STATE[data.outcome]]
        await notify_organisations(
            {int(project["organisation"])},
            "graduation",
            "结项评估结果",
            f"您的项目「{project['title']}」{outcome}。理由：{data.reason}",
            f"supported_project:{project_id}:graduation",
        )
    return await read(project_id)
