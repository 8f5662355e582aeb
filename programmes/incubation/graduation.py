"""结项评估: an officer in scope starts a supported project's graduation evaluation, then records the outcome
(优秀 / 合格 / 不合格) with its reasons and the experts' scores attached, blind or not.

The experts' scores are recorded with the officer's decision rather than through a graduation review round: the
review machinery (scoring.assignments / scoring.reviews) is bound to applications of a round, and wiring a
graduation round onto a supported project is left for later (docs/incubation.md). A 不合格 outcome may start the
existing clawback path (programmes.clawbacks.service.demand) in the same step."""

from __future__ import annotations

from statistics import mean

from app.access import load
from app.auth.principal import Principal
from app.errors import invalid
from app.notifications.service import notify_organisations
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.clawbacks import service as clawbacks
from programmes.incubation.projects import award_of, read
from programmes.incubation.schemas import GraduationDecision, ProjectRead
from programmes.incubation.tables import SupportedProject
from programmes.workflows.incubation import SUPPORTED_PROJECT

ACTIONS = {"excellent": "graduate_excellent", "passed": "graduate_passed", "failed": "fail"}
OUTCOME_STATE = {"excellent": "excellent", "passed": "passed", "failed": "failed"}


async def start(principal: Principal, project_id: int) -> ProjectRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, SupportedProject, project_id, lock=True)
        await uow.transition(SupportedProject, project_id, "start_evaluation")
    return await read(project_id)


async def decide(principal: Principal, project_id: int, data: GraduationDecision) -> ProjectRead:
    """Record the outcome. A clawback is only for a 不合格 outcome, and is demanded in the same unit of work."""
    if data.clawback is not None and data.outcome != "failed":
        raise invalid("clawback_needs_failure", "只有评估结论为不合格时才能启动资金追回", "clawback")
    async with unit_of_work(Actor.of(principal)) as uow:
        project = await load(principal, SupportedProject, project_id, lock=True)
        clawback_id = None
        if data.clawback is not None:
            award_id = await award_of(project)
            if award_id is None:
                raise invalid("clawback_no_award", "该项目尚无资助，无法追回", "clawback")
            clawback = await clawbacks.demand(principal, award_id, data.clawback.amount_fen, data.clawback.finding)
            clawback_id = clawback.id
        evaluation = {
            "blind": data.blind,
            "mean_score": round(mean(s.score for s in data.scores), 2),
            # Blind: the names stay in the officer's record; the organisation's read omits them (read_for).
            "scores": [s.model_dump() for s in data.scores],
        }
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
