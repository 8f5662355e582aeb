"""Piccolo Admin forms for agreements and reports (协议与报告): the same service functions as the API, so the
workflow, scope checks, tranche release and notifications are identical whichever way an officer acts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel
from programmes.workflows.agreements import AgreementStatus
from programmes.workflows.disbursement import TrancheStatus

if TYPE_CHECKING:
    from programmes.agreements.schemas import PlanTrancheRead
    from programmes.reports.schemas import LinkedTrancheRead

GROUP = "协议与报告"


class AgreementAction(RequestModel):
    agreement_id: FormId = picked("agreement", title="资助协议")


class AgreementReturnForm(RequestModel):
    agreement_id: FormId = picked("agreement", title="资助协议")
    reason: str = Field(title="退回原因", min_length=2, max_length=1000, description="申报单位可见")


class ReportAction(RequestModel):
    report_id: FormId = picked("progress_report", title="报告")


class ReportReturnForm(RequestModel):
    report_id: FormId = picked("progress_report", title="报告")
    reason: str = Field(title="退回原因", min_length=2, max_length=1000, description="申报单位可见")


def _released(tranches: Sequence[PlanTrancheRead | LinkedTrancheRead]) -> str:
    released = [str(t.sequence) for t in tranches if t.status == TrancheStatus.released]
    return f"，第 {'、'.join(released)} 笔款项已可拨付" if released else ""


async def _countersign(request: Request, data: AgreementAction) -> str:
    from programmes.agreements.service import countersign

    async def work(principal: Principal) -> str:
        agreement = await countersign(principal, data.agreement_id)
        if agreement.status == AgreementStatus.countersigning:
            return f"资助协议 {agreement.id} 金额超过双人复核限额：您已完成第一次会签，须由另一名官员复核会签后生效"
        return f"资助协议 {agreement.id} 已会签生效" + _released(agreement.tranches)

    return await as_officer(request, work)


async def _return_agreement(request: Request, data: AgreementReturnForm) -> str:
    from programmes.agreements.service import return_signature

    async def work(principal: Principal) -> str:
        agreement = await return_signature(principal, data.agreement_id, data.reason)
        return f"资助协议 {agreement.id} 已退回机构重新签署"

    return await as_officer(request, work)


async def _accept_report(request: Request, data: ReportAction) -> str:
    from programmes.reports.service import accept, report_name

    async def work(principal: Principal) -> str:
        report = await accept(principal, data.report_id)
        return f"报告 {report.id}（{report_name(report.kind, report.sequence)}）已验收通过" + _released(report.tranches)

    return await as_officer(request, work)


async def _return_report(request: Request, data: ReportReturnForm) -> str:
    from programmes.reports.service import return_report

    async def work(principal: Principal) -> str:
        report = await return_report(principal, data.report_id, data.reason)
        return f"报告 {report.id} 已退回机构修改"

    return await as_officer(request, work)


AGREEMENT_FORMS = [
    FormConfig(
        "会签资助协议",
        AgreementAction,
        _countersign,
        description=(
            "机构已签署的协议经会签后生效，协议生效即拨付的款项随之可拨付（须有经核验的收款账户）；"
            "金额超过双人复核限额的，须两名不同官员先后会签"
        ),
        form_group=GROUP,
    ),
    FormConfig("退回协议", AgreementReturnForm, _return_agreement, description="退回机构重新签署", form_group=GROUP),
    FormConfig(
        "验收报告",
        ReportAction,
        _accept_report,
        description="验收已提交的中期或结项报告，对应款项随之可拨付；结项报告须在各期中期报告验收后验收",
        form_group=GROUP,
    ),
    FormConfig("退回报告", ReportReturnForm, _return_report, description="退回机构修改后重新提交", form_group=GROUP),
]
