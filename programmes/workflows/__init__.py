"""Workflow definitions per programme kind, and the lookup services use to pick one.

Status comparisons outside the workflows use the states' enums (``TrancheStatus.paid``) and the workflows' named
capabilities (``TRANCHE.states_with("unpaid")``; for applications, whose workflow depends on the programme kind,
``APPLICATION.has(status, "applicant_edits")``), never copied string literals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from app.workflow.definition import Workflow, Workflows
from programmes.tables import ProgrammeKind
from programmes.workflows.contest import CONTEST_APPLICATION, ApplicationStatus, RoundStatus
from programmes.workflows.matching import MATCHING_APPLICATION
from programmes.workflows.support_plan import SUPPORT_PLAN_APPLICATION

__all__ = [
    "APPLICATION",
    "APPLICATION_WORKFLOWS",
    "BulkApplicationAction",
    "ApplicationStatus",
    "RoundStatus",
    "application_action_label",
    "application_workflow",
]

APPLICATION_WORKFLOWS: dict[ProgrammeKind, Workflow] = {
    ProgrammeKind.contest: CONTEST_APPLICATION,
    ProgrammeKind.support_plan: SUPPORT_PLAN_APPLICATION,
    ProgrammeKind.matching: MATCHING_APPLICATION,
}
# Every kind's application workflow, asked as one (the ``application`` table's status column).
APPLICATION = Workflows(tuple(APPLICATION_WORKFLOWS.values()))

# The officer's generic (bulk) actions, as a schema type: the ``bulk`` steps of every kind, derived, never listed.
if TYPE_CHECKING:
    BulkApplicationAction = str
else:
    BulkApplicationAction = Literal[tuple(APPLICATION.bulk_actions())]


def application_workflow(kind: str) -> Workflow:
    return APPLICATION_WORKFLOWS[ProgrammeKind(kind)]


def application_action_label(action: str) -> str | None:
    """The zh-CN label of an application action in whichever programme kind defines it (None: no such action)."""
    step = APPLICATION.transition_for(action)
    return step.label_zh if step is not None else None
