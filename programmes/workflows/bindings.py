"""The programmes app's tables bound to their workflows (loaded by ``programmes/piccolo_app.py``)."""

from __future__ import annotations

from typing import Any

from app.workflow.definition import Workflow
from app.workflow.registry import Row, bind
from programmes.agreements.tables import Agreement
from programmes.applications.gate import GATED_ACTIONS, ensure_passes
from programmes.camps.tables import Camp, CampRegistration
from programmes.draws.tables import InspectionDraw
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.incubation.tables import Replication, SupportedProject
from programmes.matching.tables import Demand, DemandBid, MatchingCase, MatchingSession, MatchOrder, ServiceOffer
from programmes.payees.tables import BankAccount
from programmes.recommendations.tables import Recommendation
from programmes.reports.tables import ProgressReport
from programmes.resources.tables import ResourceIntroduction
from programmes.risk.tables import RiskWarning
from programmes.tables import (
    Application,
    Award,
    Clawback,
    PaymentBatch,
    PaymentBatchItem,
    Round,
    Tranche,
)
from programmes.workflows import APPLICATION_WORKFLOWS, application_workflow
from programmes.workflows.agreements import AGREEMENT, BANK_ACCOUNT, PROGRESS_REPORT
from programmes.workflows.camps import CAMP, REGISTRATION
from programmes.workflows.contest import CONTEST_ROUND
from programmes.workflows.demand import DEMAND, OFFER
from programmes.workflows.disbursement import AWARD, BATCH_ITEM, PAYMENT_BATCH, TRANCHE
from programmes.workflows.fasttrack import FASTTRACK_INVITATION
from programmes.workflows.incubation import REPLICATION, SUPPORTED_PROJECT
from programmes.workflows.orders import BID, CASE, ORDER, SESSION
from programmes.workflows.recommendation import DISTRICT_RECOMMENDATION
from programmes.workflows.resources import INTRODUCTION
from programmes.workflows.supervision import CLAWBACK, INSPECTION_DRAW, RISK_WARNING


async def round_application_workflow(round_id: int) -> Workflow:
    """The workflow of every application of a round (its programme's kind): one query. A caller moving many
    applications of one round reads it once and passes it to ``transition(..., workflow=)``."""
    kind: dict[str, Any] | None = (
        await Round.select(Round.edition._.programme._.kind.as_alias("kind")).where(Round.id == round_id).first()
    )
    assert kind is not None  # application.round is a NOT NULL foreign key
    return application_workflow(kind["kind"])


async def _application_workflow(row: Row) -> Workflow:
    """An application follows its programme kind's workflow."""
    return await round_application_workflow(row["round"])


def _eligibility_gate(row: Row, action: str) -> None:
    # No path that moves an application towards experts, a 公示 or money can skip the gate.
    if action in GATED_ACTIONS:
        ensure_passes(row, action)


bind(Application, *APPLICATION_WORKFLOWS.values(), resolve=_application_workflow, check=_eligibility_gate)
bind(Round, CONTEST_ROUND)
bind(Award, AWARD)
bind(Tranche, TRANCHE)
bind(PaymentBatch, PAYMENT_BATCH)
bind(PaymentBatchItem, BATCH_ITEM)
bind(InspectionDraw, INSPECTION_DRAW)
bind(Clawback, CLAWBACK)
bind(Agreement, AGREEMENT)
bind(BankAccount, BANK_ACCOUNT)
bind(ProgressReport, PROGRESS_REPORT)
bind(RiskWarning, RISK_WARNING)
bind(Demand, DEMAND)
bind(ServiceOffer, OFFER)
bind(MatchingSession, SESSION)
bind(MatchOrder, ORDER)
bind(DemandBid, BID)
bind(MatchingCase, CASE)
bind(FastTrackInvitation, FASTTRACK_INVITATION)
bind(SupportedProject, SUPPORTED_PROJECT)
bind(Replication, REPLICATION)
bind(Camp, CAMP)
bind(CampRegistration, REGISTRATION)
bind(Recommendation, DISTRICT_RECOMMENDATION)
bind(ResourceIntroduction, INTRODUCTION)
