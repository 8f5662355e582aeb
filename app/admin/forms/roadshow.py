"""Piccolo Admin forms for the final's roadshow (决赛路演, issue 15): set it up (the order's seed committed), draw
the order, start and stop a presentation, end the session. Each calls the service the API calls
(scoring.roadshow), so scope, workflow, audit and the score-sheet lock are the same on both paths."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer
from app.admin.picks import labelled, picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class CommitRoadshow(RequestModel):
    round_id: FormId = picked("round", title="决赛轮次", description="轮次阶段须为决赛（路演），且处于开放状态")
    planned_minutes: int = Field(default=8, ge=1, le=120, title="每个项目路演时长（分钟）")
    grace_seconds: int = Field(default=120, ge=0, le=3600, title="评分宽限时间（秒）", description="路演结束后仍可评分")
    vote_weight_percent: int = Field(
        default=0, ge=0, le=50, title="公众投票权重（%）", description="0 表示不设公众投票"
    )


class RoadshowAction(RequestModel):
    session_id: FormId = picked("roadshow_session", title="路演")


class PresentationClock(RequestModel):
    presentation_id: FormId = Field(title="出场编号", description="路演详情中每个项目的出场编号")
    action: Literal["start", "stop"] = labelled({"start": "开始路演", "stop": "结束路演"}, title="操作")


async def _commit(request: Request, data: CommitRoadshow) -> str:
    from scoring.roadshow.schemas import SessionCreate
    from scoring.roadshow.service import commit_session

    async def work(principal: Principal) -> str:
        settings = SessionCreate(
            planned_minutes=data.planned_minutes,
            grace_seconds=data.grace_seconds,
            vote_weight_percent=data.vote_weight_percent,
        )
        done = await commit_session(principal, data.round_id, settings)
        return f"路演 {done.id} 已登记（{len(done.entries)} 个项目），种子摘要（SHA-256）：{done.seed_hash}"

    return await as_officer(request, work)


async def _draw(request: Request, data: RoadshowAction) -> str:
    from scoring.roadshow.service import draw_order

    async def work(principal: Principal) -> str:
        done = await draw_order(principal, data.session_id)
        order = "、".join(f"{p.position}. 出场编号 {p.id}（申报 {p.application_id}）" for p in done.presentations)
        return f"路演 {done.id} 已抽取出场顺序，种子：{done.seed}；{order}"

    return await as_officer(request, work)


async def _clock(request: Request, data: PresentationClock) -> str:
    from scoring.roadshow.clock import start_presentation, stop_presentation

    async def work(principal: Principal) -> str:
        if data.action == "start":
            done = await start_presentation(principal, data.presentation_id)
            return f"第 {done.position} 个项目（申报 {done.application_id}）开始路演，评委可以评分"
        done = await stop_presentation(principal, data.presentation_id)
        return f"第 {done.position} 个项目（申报 {done.application_id}）路演结束，评分截止于宽限时间结束"

    return await as_officer(request, work)


async def _end(request: Request, data: RoadshowAction) -> str:
    from scoring.roadshow.service import end_session

    async def work(principal: Principal) -> str:
        done = await end_session(principal, data.session_id)
        closed = "轮次已关闭并完成排名，可发起公示" if done.round_closed else "轮次截止时间未到，请届时关闭轮次"
        return f"路演 {data.session_id} 已结束，评分表已锁定；{closed}"

    return await as_officer(request, work)


ROADSHOW_FORMS = [
    FormConfig(
        "决赛路演：登记",
        CommitRoadshow,
        _commit,
        description="冻结参赛项目，系统生成种子并先公布其摘要",
        form_group="决赛路演",
    ),
    FormConfig(
        "决赛路演：抽取出场顺序", RoadshowAction, _draw, description="公开种子并抽取出场顺序", form_group="决赛路演"
    ),
    FormConfig(
        "决赛路演：项目路演计时",
        PresentationClock,
        _clock,
        description="同一时间只能有一个项目在路演；评委在路演开始至结束后宽限时间内评分",
        form_group="决赛路演",
    ),
    FormConfig(
        "决赛路演：结束路演",
        RoadshowAction,
        _end,
        description="锁定评分表；轮次截止时间已过时同时关闭轮次并计算结果（含公众投票权重）",
        form_group="决赛路演",
    ),
]
