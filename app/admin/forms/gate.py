"""Piccolo Admin forms at the gates an application passes on its way to money: an officer's written eligibility
override (资格审查人工认定) and the award itself (确定资助). Each calls the same service as the API, so the eligibility
gate and the 公示 gate hold here too (programmes/applications/gate.py, scoring/publication/notice_gate.py)."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import picked
from app.auth.principal import Principal
from app.money import yuan
from app.types import FormId, RequestModel
from programmes.tables import AwardType


class EligibilityOverride(RequestModel):
    application_id: FormId = Field(title="申报编号", description="资格审查未通过（或待核验）的申报")
    reason: str = Field(
        title="认定理由", min_length=5, max_length=1000, description="书面理由与依据，记入审计日志并随申报保存"
    )


class AwardDecision(RequestModel):
    application_id: FormId = Field(title="申报编号", description="已排名（或晋级、入选）且通过公示的申报")
    budget_line_id: FormId = picked("budget_line", title="预算科目", description="该届次的预算科目")
    amount_fen: int = Field(gt=0, le=10**12, title="资助金额（分）", description="单位：分（整数）")
    award_type: AwardType = Field(default=AwardType.reward, title="资助类型", description="补贴或奖励的类别")


async def _override(request: Request, data: EligibilityOverride) -> str:
    from programmes.applications.screening import override

    async def work(principal: Principal) -> str:
        row = await override(principal, data.application_id, data.reason)
        return f"申报 {row.id} 已书面人工认定为符合资格，可继续办理"

    return await as_officer(request, work)


async def _award(request: Request, data: AwardDecision) -> str:
    from programmes.awards.schemas import AwardCreate
    from programmes.awards.service import make_award

    async def work(principal: Principal) -> str:
        award = await make_award(
            principal,
            AwardCreate(
                application_id=data.application_id,
                budget_line_id=data.budget_line_id,
                amount_fen=data.amount_fen,
                award_type=data.award_type,
            ),
        )
        return f"资助 {award.id} 已确定：{yuan(award.amount_fen)}，资助协议（草稿）编号 {award.agreement_id}"

    return await as_officer(request, work)


GATE_FORMS = [
    FormConfig(
        "资格审查人工认定",
        EligibilityOverride,
        _override,
        description="资格审查未通过的申报，经核实后书面认定符合资格（记录认定人、时间与理由）",
        form_group="申报与评审",
    ),
    FormConfig(
        "确定资助",
        AwardDecision,
        _award,
        description="为通过资格审查并经公示无异议的申报确定资助（协议生效后一次性拨付；分期计划请用接口）",
        form_group="资金",
    ),
]
