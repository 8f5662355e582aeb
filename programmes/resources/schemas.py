"""The resource links' typed boundary: partners, offers and introductions of winners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.types import Id, RequestModel
from programmes.resources.kinds import OfferKind, PartnerKind
from programmes.workflows.resources import IntroductionStatus


class ResourcePartnerCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "上海某公益基金会", "kind": "foundation", "description": "关注为老服务"}]
        },
    )
    name: str = Field(min_length=2, max_length=200)
    kind: PartnerKind = Field(description="foundation 基金会 / enterprise 企业 / street 街镇 / other 其他")
    description: str = Field(default="", max_length=1000)


class ResourcePartnerRead(BaseModel):
    id: int
    name: str
    kind: PartnerKind
    description: str
    scope_district: str | None
    offers: int = Field(description="资源数")
    created_at: datetime


class ResourceOfferCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "venue",
                    "title": "社区活动室免费使用",
                    "description": "每周二、四下午",
                    "valid_from": "2026-12-01",
                    "valid_until": "2027-06-30",
                }
            ]
        },
    )
    kind: OfferKind = Field(
        description="funding 资金 / venue 场地 / mentoring 导师 / service_purchase 购买服务 / other"
    )
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=1000, description="说明（自由填写）")
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _period(self) -> ResourceOfferCreate:
        if self.valid_until < self.valid_from:
            raise ValueError("有效期结束日期不能早于开始日期")
        return self


class ResourceOfferRead(BaseModel):
    id: int
    partner_id: int
    partner_name: str
    kind: OfferKind
    title: str
    description: str
    valid_from: date
    valid_until: date
    current: bool = Field(description="今天（北京时间）在有效期内")
    scope_district: str | None


class IntroductionCreate(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"prize_id": 1, "note": "已电话介绍"}]})
    prize_id: Id = Field(description="获奖项目（奖项编号）")
    note: str = Field(default="", max_length=1000)


class FollowUp(RequestModel):
    note: str = Field(default="", max_length=1000, description="跟进记录（未达成合作时必填）")


class NoteRead(BaseModel):
    at: datetime  # stored as UTC ISO text in the notes; shown in Beijing time like every response datetime
    by: int | None
    action: str
    note: str


class IntroductionRead(BaseModel):
    id: int
    offer_id: int
    offer_title: str
    prize_id: int
    organisation_name: str
    project_title: str
    status: IntroductionStatus
    status_zh: str
    notes: list[NoteRead]
    created_at: datetime

    @staticmethod
    def notes_of(raw: Any) -> list[NoteRead]:
        return [NoteRead(**n) for n in raw or []]


class WinnerOfferRead(BaseModel):
    """The offer a winner was introduced to, as the winner reads it (with its partner)."""

    id: int
    kind: OfferKind
    title: str
    description: str
    valid_from: date
    valid_until: date
    partner_name: str
    partner_kind: PartnerKind


class WinnerIntroductionRead(BaseModel):
    """One of my organisation's resource introductions (链接资源对接): the offer and partner, the prize it followed,
    where the follow-up stands and every step's note."""

    id: int
    offer: WinnerOfferRead
    prize_id: int
    tier_name: str
    organisation_id: int
    project_title: str
    status: IntroductionStatus
    status_zh: str
    notes: list[NoteRead]
    created_at: datetime
