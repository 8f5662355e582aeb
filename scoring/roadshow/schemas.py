"""The roadshow's typed boundary: session settings, presentations, the judges' sheet, votes and the live board."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.types import ExactInt, Id, RequestModel


class SessionCreate(RequestModel):
    planned_minutes: ExactInt = Field(default=8, ge=1, le=120, description="每个项目计划路演时长（分钟）")
    grace_seconds: ExactInt = Field(default=120, ge=0, le=3600, description="路演结束后评委仍可评分的宽限时间（秒）")
    vote_weight_percent: ExactInt = Field(
        default=0, ge=0, le=50, description="公众投票在结果中的权重（%）；0 = 不设公众投票"
    )


class VoteCreate(RequestModel):
    application_id: Id = Field(description="投票支持的参赛项目（申报编号）")


class PresentationRead(BaseModel):
    id: int
    application_id: int
    position: int = Field(description="出场顺序，1 为第一个")
    title: str
    organisation_name: str | None = Field(description="匿名评审轮次中为 null")
    planned_minutes: int
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    window_closes_at: dt.datetime | None = Field(description="评分截止时间 = 结束时间 + 宽限时间；未结束时为 null")
    state: str = Field(description="waiting 待上场 / presenting 路演中 / grace 宽限评分中 / closed 已结束")


class SessionRead(BaseModel):
    id: int
    round_id: int
    status: str
    seed_hash: str = Field(description="种子的 SHA-256（抽取前即公开）")
    seed: str | None = Field(description="抽取后公开；此前为空")
    entries: list[int] = Field(description="参赛项目（申报编号，升序），登记时冻结；与种子一起可复算出场顺序")
    planned_minutes: int
    grace_seconds: int
    vote_weight_percent: int
    voting_open: bool
    drawn_at: dt.datetime | None
    ended_at: dt.datetime | None
    presentations: list[PresentationRead] = Field(description="按出场顺序；抽取前为空")


class DrawRead(BaseModel):
    """The public record of the draw: enough to recompute the order (scoring.roadshow.maths.presentation_order)."""

    session_id: int
    round_id: int
    status: str
    seed_hash: str
    seed: str | None
    entries: list[int]
    order: list[int] = Field(description="出场顺序（申报编号）；抽取前为空")


class EndRead(BaseModel):
    session: SessionRead
    round_closed: bool = Field(description="轮次截止时间已过时随路演结束一并关闭并排名；否则由项目官员关闭轮次")


class JudgeSlot(BaseModel):
    presentation: PresentationRead
    assignment_id: int = Field(
        description="本人的评审任务：用 PUT /reviews/{id}/draft 与 POST /reviews/{id}/submit 评分"
    )
    review_status: str
    scoring_open: bool = Field(description="此刻是否在评分时段内")


class JudgeSheet(BaseModel):
    session_id: int
    status: str
    blind: bool
    slots: list[JudgeSlot] = Field(description="本人被分配的项目，按出场顺序")


class JudgeSessionRead(BaseModel):
    """A roadshow session the caller judges (a live assignment in its round)."""

    session_id: int
    round_id: int
    round_name: str
    status: str
    status_zh: str


class VoteRead(BaseModel):
    session_id: int
    application_id: int
    created_at: dt.datetime


class BoardEntry(BaseModel):
    application_id: int
    position: int | None
    title: str
    organisation_name: str | None = Field(description="匿名评审轮次中为 null")
    judges_scored: int
    judges_expected: int
    current_mean: str | None = Field(description="已提交评分的加权平均分（6 位小数）；无评分时为 null")
    judges_score: str | None = Field(description="按本轮汇总方法的评委得分（6 位小数）")
    public_votes: int
    score: str | None = Field(description="计入公众投票权重后的得分（6 位小数）")
    rank: int | None = Field(description="当前名次（按本轮汇总与并列规则，含公众投票权重）；无评分时为 null")
    spread: float | None = Field(description="评委评分的标准差")
    outlier_experts: list[int] = Field(description="评分明显偏离其他评委的评委编号（至少 3 位评委时判定）")


class JudgeSpreadRead(BaseModel):
    expert_id: int
    scored: int
    mean: float
    spread: float = Field(description="该评委所给分数的标准差")
    mean_offset: float = Field(description="与同一项目其他评委平均分之差的平均值")


class BoardRead(BaseModel):
    session_id: int
    round_id: int
    status: str
    blind: bool
    vote_weight_percent: int
    voting_open: bool
    method: str
    entries: list[BoardEntry] = Field(description="按当前名次；尚无评分的项目按出场顺序排在最后")
    judges: list[JudgeSpreadRead]
