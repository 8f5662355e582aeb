"""Piccolo Admin forms for 沪社星耀 incubation (扶持批次, 结项评估), with the API's services and rules."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel

OUTCOMES = {"优秀": "excellent", "合格": "passed", "不合格": "failed"}


class CohortForm(RequestModel):
    edition_id: FormId = picked("edition", title="届次", description="沪社星耀的届次（本区范围内）")
    name: str = Field(min_length=2, max_length=100, title="批次名称", description="例如：2026 年第一期")
    description: str = Field(default="", max_length=1000, title="说明")


class GraduationForm(RequestModel):
    project_id: FormId = Field(
        title="扶持项目编号", description="须为结项评估中、专家评分已提交齐全的项目（本区范围内）"
    )
    outcome: Literal["优秀", "合格", "不合格"] = Field(title="评估结论")
    reason: str = Field(min_length=2, max_length=1000, title="理由", description="机构将收到此理由")


async def _create_cohort(request: Request, data: CohortForm) -> str:
    from programmes.incubation import projects
    from programmes.incubation.schemas import CohortCreate

    async def work(principal: Principal) -> str:
        done = await projects.create_cohort(
            principal, CohortCreate(edition_id=data.edition_id, name=data.name, description=data.description)
        )
        return f"扶持批次「{done.name}」已建立（编号 {done.id}）"

    return await as_officer(request, work)


async def _graduate(request: Request, data: GraduationForm) -> str:
    from programmes.incubation import graduation
    from programmes.incubation.schemas import GraduationDecision

    # The experts' scores are not typed in: the decision attaches the graduation round's submitted reviews.
    decision = GraduationDecision(outcome=OUTCOMES[data.outcome], reason=data.reason)

    async def work(principal: Principal) -> str:
        done = await graduation.decide(principal, data.project_id, decision)
        return f"项目「{done.title}」{done.status_zh}，已通知机构"

    return await as_officer(request, work)


INCUBATION_FORMS = [
    FormConfig(
        "建立扶持批次",
        CohortForm,
        _create_cohort,
        description="与 POST /incubation/cohorts 同一规则并留痕；区级官员仅限本区",
        form_group="沪社星耀",
    ),
    FormConfig(
        "记录结项评估结论",
        GraduationForm,
        _graduate,
        description=(
            "与 POST /incubation/projects/{id}/graduation 同一规则并留痕：附上结项评估轮次中专家已提交的评分；"
            "不合格时的资金追回请用 API"
        ),
        form_group="沪社星耀",
    ),
]
