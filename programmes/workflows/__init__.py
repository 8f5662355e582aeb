"""Workflow definitions per programme kind, and the lookup services use to pick one."""

from __future__ import annotations

from programmes.tables import ProgrammeKind
from programmes.workflows.contest import CONTEST_APPLICATION
from programmes.workflows.definition import Workflow
from programmes.workflows.matching import MATCHING_APPLICATION
from programmes.workflows.support_plan import SUPPORT_PLAN_APPLICATION

APPLICATION_WORKFLOWS: dict[ProgrammeKind, Workflow] = {
    ProgrammeKind.contest: CONTEST_APPLICATION,
    ProgrammeKind.support_plan: SUPPORT_PLAN_APPLICATION,
    ProgrammeKind.matching: MATCHING_APPLICATION,
}


def application_workflow(kind: str) -> Workflow:
    return APPLICATION_WORKFLOWS[ProgrammeKind(kind)]
