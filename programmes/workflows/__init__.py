"""Workflow definitions per programme kind, and the lookup services use to pick one."""

from __future__ import annotations

from app.workflow.definition import Workflow
from programmes.tables import ProgrammeKind
from programmes.workflows.contest import CONTEST_APPLICATION
from programmes.workflows.matching import MATCHING_APPLICATION
from programmes.workflows.support_plan import SUPPORT_PLAN_APPLICATION

APPLICATION_WORKFLOWS: dict[ProgrammeKind, Workflow] = {
    ProgrammeKind.contest: CONTEST_APPLICATION,
    ProgrammeKind.support_plan: SUPPORT_PLAN_APPLICATION,
    ProgrammeKind.matching: MATCHING_APPLICATION,
}


def application_workflow(kind: str) -> Workflow:
    return APPLICATION_WORKFLOWS[ProgrammeKind(kind)]


def application_action_label(action: str) -> str | None:
    """The zh-CN label of an application action in whichever programme kind defines it (None: no such action)."""
    for workflow in APPLICATION_WORKFLOWS.values():
        step = workflow.transition_for(action)
        if step is not None:
            return step.label_zh
    return None
