"""Piccolo Admin form for 聚力计划 demand moderation (需求审核), with the API's service and rules."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class DemandModerationForm(RequestModel):
    demand_id: FormId = picked("demand", title="需求", description="须为待审核的需求（本区范围内）")
    decision: Literal["发布", "不通过"] = Field(title="审核结果", description="发布 / 不通过（须填写原因）")
    reason: str = Field(default="", max_length=1000, title="原因", description="不通过时必填，社区将收到此原因")


async def _moderate(request: Request, data: DemandModerationForm) -> str:
    from programmes.matching import demands

    async def work(principal: Principal) -> str:
        if data.decision == "发布":
            done = await demands.publish(principal, data.demand_id)
            return f"需求「{done.title}」已发布"
        if len(data.reason.strip()) < 2:
            raise ValueError("不通过时须填写原因")
        done = await demands.reject(principal, data.demand_id, data.reason)
        return f"需求「{done.title}」审核不通过，已通知社区"

    return await as_officer(request, work)


MATCHING_DEMAND_FORMS = [
    FormConfig(
        "聚力计划需求审核",
        DemandModerationForm,
        _moderate,
        description="与 POST /matching/demands/{id}/publish 和 /reject 同一规则并留痕；区级官员仅限本区",
        form_group="聚力计划",
    ),
]
