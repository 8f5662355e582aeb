"""Piccolo Admin forms for 聚力计划: running a matching session (open, preview, adjust, publish), turning an order
into a purchase of services (政府购买服务) and promoting a case (demand moderation: app.admin.forms.matching_demands).
Each calls the service the API calls (programmes.matching.*), so district scope, the workflow, audit rows and
notifications are the same on both paths."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, parse_ids, validated
from app.admin.picks import CITY_OR_DISTRICT, labelled, picked
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
    case_id: FormId = picked("matching_case", title="案例")
    action: Literal["publish", "withdraw"] = labelled({"publish": "发布", "withdraw": "撤下"}, title="操作")
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


class OpenSession(RequestModel):
    title: str = Field(min_length=2, max_length=200, title="活动名称")
    kind: Literal["general", "special"] = labelled(
        {"general": "交流对接活动", "special": "专场"}, default="general", title="活动类型"
    )
    district: str = labelled(CITY_OR_DISTRICT, default="", title="区", description="区级官员只能选本区", text=True)
    required_tags: str = Field(default="", max_length=1000, title="专场标签", description="逗号分隔，服务项目须含其一")
    organisation_types: str = Field(default="", max_length=1000, title="专场组织类型", description="逗号分隔")
    unmatched_penalty: int = Field(default=0, ge=0, le=1000, title="未匹配扣分", description="越高越倾向于多匹配")
    forbid_own_street_centre: bool = Field(default=False, title="回避本街镇社会组织服务中心")


async def _open_session(request: Request, data: OpenSession) -> str:
    from programmes.matching import sessions
    from programmes.matching.schemas_session import SessionCreate

    body = validated(
        SessionCreate,
        {
            "title": data.title,
            "kind": data.kind,
            "district": data.district.strip() or None,
            "required_tags": _codes(data.required_tags),
            "organisation_types": _codes(data.organisation_types),
            "rules": {
                "unmatched_penalty": data.unmatched_penalty,
                "forbid_own_street_centre": data.forbid_own_street_centre,
            },
        },
    )

    async def work(principal: Principal) -> str:
        created = await sessions.create(principal, body)
        await sessions.open_session(principal, created.id)
        return f"对接活动 {created.id}「{created.title}」已开启；可在「预览对接结果」中计算对接方案"

    return await as_officer(request, work)


class SessionOnly(RequestModel):
    session_id: FormId = picked("matching_session", title="对接活动")


async def _preview_session(request: Request, data: SessionOnly) -> str:
    from programmes.matching import sessions

    async def work(principal: Principal) -> str:
        shown = await sessions.preview(principal, data.session_id)
        return (
            f"对接活动 {shown.id} 预览完成：{shown.pairs} 组对接，总分 {shown.score_total}，"
            f"{shown.unmatched} 条需求未对接（原因见 session_unmatched 表）"
        )

    return await as_officer(request, work)


class AdjustSession(RequestModel):
    session_id: FormId = picked("matching_session", title="对接活动")
    action: Literal["add", "remove"] = labelled({"add": "增加配对", "remove": "移除配对"}, title="操作")
    demand_id: FormId | None = Field(default=None, title="需求编号", description="增加配对时填写")
    offer_id: FormId | None = Field(default=None, title="服务项目编号", description="增加配对时填写")
    pair_id: FormId | None = Field(default=None, title="配对编号", description="移除配对时填写（session_pair 表）")


async def _adjust_session(request: Request, data: AdjustSession) -> str:
    from programmes.matching import sessions
    from programmes.matching.schemas_session import PairAdd

    if data.action == "add" and (data.demand_id is None or data.offer_id is None):
        raise ValueError("增加配对须填写需求编号和服务项目编号")
    if data.action == "remove" and data.pair_id is None:
        raise ValueError("移除配对须填写配对编号")

    async def work(principal: Principal) -> str:
        if data.action == "add":
            chosen = validated(PairAdd, {"demand_id": data.demand_id, "offer_id": data.offer_id})
            pair = await sessions.add_pair(principal, data.session_id, chosen)
            return f"已增加配对 {pair.id}：需求 {pair.demand_id} ↔ 服务项目 {pair.offer_id}（得分 {pair.score}）"
        assert data.pair_id is not None
        await sessions.remove_pair(principal, data.session_id, data.pair_id)
        return f"已移除配对 {data.pair_id}"

    return await as_officer(request, work)


async def _publish_session(request: Request, data: SessionOnly) -> str:
    from programmes.matching import sessions

    async def work(principal: Principal) -> str:
        shown = await sessions.publish(principal, data.session_id)
        return f"对接活动 {shown.id} 的结果已发布：{shown.pairs} 个订单待社会组织接单，已通知相关机构和社区"

    return await as_officer(request, work)


class MakePayable(RequestModel):
    order_id: FormId = Field(title="订单编号", description="已接单或服务中、需求列有预算的订单")
    budget_line_id: FormId = picked(
        "budget_line", title="预算科目", description="聚力计划届次的预算科目（市级，或与订单同区）"
    )
    amount_fen: int = Field(gt=0, le=10**12, title="金额（分）", description="须在需求的预算范围内、不超过可用余额")


async def _make_payable(request: Request, data: MakePayable) -> str:
    from programmes.matching.obligations import make_payable
    from programmes.matching.schemas_order import ObligationCreate

    body = validated(ObligationCreate, {"budget_line_id": data.budget_line_id, "amount_fen": data.amount_fen})

    async def work(principal: Principal) -> str:
        order = await make_payable(principal, data.order_id, body)
        return (
            f"订单 {order.id} 已转为政府购买服务：承诺 {order.amount_fen} 分（拨付款项 {order.tranche_id}），"
            "社区确认服务完成后可列入支付批次"
        )

    return await as_officer(request, work)


MATCHING_FORMS = [
    FormConfig(
        "开启对接活动",
        OpenSession,
        _open_session,
        description="新建并开启交流对接活动（可设为专场，限定标签或组织类型）",
        form_group=GROUP,
    ),
    FormConfig(
        "预览对接结果",
        SessionOnly,
        _preview_session,
        description="计算全局最优对接方案（覆盖此前的预览），列出未对接原因",
        form_group=GROUP,
    ),
    FormConfig("调整对接结果", AdjustSession, _adjust_session, description="手工增加或移除配对", form_group=GROUP),
    FormConfig(
        "发布对接结果",
        SessionOnly,
        _publish_session,
        description="按预览生成订单，通知社会组织接单",
        form_group=GROUP,
    ),
    FormConfig(
        "推荐案例",
        PromoteCase,
        _promote_case,
        description="将已评价的对接订单整理为可复制、可推广的案例（草稿）",
        form_group=GROUP,
    ),
    FormConfig("发布或撤下案例", CaseAction, _case_action, description="发布到公开案例库，或撤下", form_group=GROUP),
    FormConfig(
        "订单转为购买服务",
        MakePayable,
        _make_payable,
        description="从聚力计划预算科目为订单承诺资金（政府购买服务），社区确认完成后拨付",
        form_group=GROUP,
    ),
]
