"""Piccolo Admin forms for 区级推荐 (district recommendation): the city's quotas and forward, the district officer's
recommendation and its withdrawal — each the API's service with its rules, audit and refusals."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.admin.picks import DISTRICT_LABELS, labelled, picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel

GROUP = "大赛阶段"


class QuotaForm(RequestModel):
    round_id: FormId = picked("round", title="区级推荐轮次", description="市级项目中处于区级推荐阶段的轮次")
    district: str = labelled(DISTRICT_LABELS, title="区", text=True)
    quota: int = Field(ge=0, le=10_000, title="推荐名额")


async def _quota(request: Request, data: QuotaForm) -> str:
    from programmes.recommendations import service
    from programmes.recommendations.schemas import QuotaWrite

    body = validated(QuotaWrite, {"district": data.district, "quota": data.quota})

    async def work(principal: Principal) -> str:
        done = await service.set_quota(principal, data.round_id, body)
        return f"{done.district_zh}推荐名额已设为 {done.quota} 个（已推荐 {done.recommended} 个）"

    return await as_officer(request, work)


class RecommendForm(RequestModel):
    round_id: FormId = picked("round", title="区级推荐轮次")
    application_id: FormId = Field(title="申报编号", description="本区社会组织在该轮次的申报")
    reason: str = Field(min_length=2, max_length=1000, title="推荐理由")


async def _recommend(request: Request, data: RecommendForm) -> str:
    from programmes.recommendations import service
    from programmes.recommendations.schemas import RecommendationCreate

    body = validated(RecommendationCreate, {"application_id": data.application_id, "reason": data.reason})

    async def work(principal: Principal) -> str:
        done = await service.recommend(principal, data.round_id, body)
        return f"已推荐申报 {done.application_id}（推荐编号 {done.id}）"

    return await as_officer(request, work)


class WithdrawForm(RequestModel):
    recommendation_id: FormId = picked("recommendation", title="推荐")
    reason: str = Field(min_length=2, max_length=1000, title="撤回原因")


async def _withdraw(request: Request, data: WithdrawForm) -> str:
    from programmes.recommendations import service

    async def work(principal: Principal) -> str:
        done = await service.withdraw(principal, data.recommendation_id, data.reason)
        return f"已撤回对申报 {done.application_id} 的推荐，名额已释放"

    return await as_officer(request, work)


class ForwardForm(RequestModel):
    round_id: FormId = picked("round", title="区级推荐轮次", description="截止后，将各区推荐的申报带入下一阶段")


async def _forward(request: Request, data: ForwardForm) -> str:
    from programmes.recommendations import forward

    async def work(principal: Principal) -> str:
        done = await forward.forward(principal, data.round_id)
        if done.already_forwarded:
            return f"该轮次已推荐晋级：{done.advanced} 个晋级，{done.not_advanced} 个未晋级（未重复处理）"
        return f"已推荐晋级：{done.advanced} 个进入下一阶段（轮次 {done.next_round_id}），{done.not_advanced} 个未晋级"

    return await as_officer(request, work)


RECOMMENDATION_FORMS = [
    FormConfig(
        "设置区级推荐名额",
        QuotaForm,
        _quota,
        description="与 PUT /rounds/{id}/district-quotas 同一规则并留痕；仅市级",
        form_group=GROUP,
    ),
    FormConfig(
        "区级推荐申报",
        RecommendForm,
        _recommend,
        description="与 POST /rounds/{id}/recommendations 同一规则：仅区级官员，本区申报，名额以内",
        form_group=GROUP,
    ),
    FormConfig(
        "撤回区级推荐",
        WithdrawForm,
        _withdraw,
        description="与 POST /recommendations/{id}/withdraw 同一规则：市级推荐晋级前，仅推荐区",
        form_group=GROUP,
    ),
    FormConfig(
        "区级推荐：推荐晋级下一阶段",
        ForwardForm,
        _forward,
        description="与 POST /rounds/{id}/recommendations/forward 同一规则；仅市级，可重复提交而不重复处理",
        form_group=GROUP,
    ),
]
