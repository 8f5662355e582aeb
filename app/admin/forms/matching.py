"""Piccolo Admin forms for 聚力计划: moderating demands, running a matching session (open, preview, adjust,
publish) and promoting a case. Each calls the service the API calls (programmes.matching.*), so district scope,
the workflow, audit rows and notifications are the same on both paths."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, parse_ids, validated
from app.auth.principal import Principal
from app.types import FormId, RequestModel

GROUP = "聚力计划"


class PromoteCase(RequestModel):
    order_id: FormId = Field(title="订单编号", description="已评价的对接订单")
    title: str = Field(min_length=2, max_length=200, title="案例标题")
    summary: str = Field(min_length=2, max_length=5000, title="案例简介", description="公开，勿含个人信息")
    outcomes: str = Field(default="", max_length=5000, title="成效")
    tags: str = Field(default="", max_length=1000, title="标签代码", description="逗号分隔；留空沿用需求的标签")
    photo_ids: str = Field(
        default="", max_length=1000, title="照片编号", description="从服务记录的图片中选取，逗号分隔"
    )


class CaseAction(RequestModel):
    case_id: FormId = Field(title="案例编号")
    action: Literal["publish", "withdraw"] = Field(title="操作", description="publish 发布 / withdraw 撤下")
    reason: str = Field(default="", max_length=1000, title="撤下原因", description="撤下时必填，记入审计日志")


def _codes(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]


async def _promote_case(request: Request, data: PromoteCase) -> str:
    from programmes.matching.cases import promote
    from programmes.matching.schemas_case import CasePromote

    body = validated(
        CasePromote,
        {
            "order_id": data.order_id,
            "title": data.title,
            "summary": data.summary,
            "outcomes": data.outcomes,
            "tags": _codes(data.tags) or None,
            "photo_ids": parse_ids(data.photo_ids, "照片编号", most=20) if data.photo_ids.strip() else [],
        },
    )

    async def work(principal: Principal) -> str:
        case = await promote(principal, body)
        served = f"服务 {case.beneficiaries} 人次"
        return f"已将订单 {data.order_id} 整理为案例 {case.id}（草稿，{served}）；发布后进入公开案例库"

    return await as_officer(request, work)


async def _case_action(request: Request, data: CaseAction) -> str:
    from programmes.matching.cases import publish, withdraw

    if data.action == "withdraw" and len(data.reason.strip()) < 2:
        raise ValueError("撤下案例须填写原因")

    async def work(principal: Principal) -> str:
        if data.action == "publish":
            await publish(principal, data.case_id)
            return f"案例 {data.case_id} 已发布到公开案例库"
        await withdraw(principal, data.case_id, data.reason)
        return f"案例 {data.case_id} 已撤下"

    return await as_officer(request, work)


MATCHING_FORMS = [
    FormConfig(
        "推荐案例",
        PromoteCase,
        _promote_case,
        description="将已评价的对接订单整理为可复制、可推广的案例（草稿）",
        form_group=GROUP,
    ),
    FormConfig("发布或撤下案例", CaseAction, _case_action, description="发布到公开案例库，或撤下", form_group=GROUP),
]
