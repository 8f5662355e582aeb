"""Request and response models of 区级推荐."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import Id, RequestModel

Reason = Field(min_length=2, max_length=1000)


class QuotaWrite(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"district": "changning", "quota": 5}]})
    district: District
    quota: int = Field(ge=0, le=10_000)


class QuotaRead(BaseModel):
    """A district's places in the round, how many it has recommended and how many entries it has."""

    round_id: int
    district: str
    district_zh: str
    quota: int
    recommended: int
    entries: int


class RecommendationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"application_id": 12, "reason": "服务对象明确，社区基础扎实"}]}
    )
    application_id: Id
    reason: str = Reason


class RecommendationWithdraw(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "改为推荐其他项目"}]})
    reason: str = Reason


class RecommendationRead(BaseModel):
    id: int
    round_id: int
    application_id: int
    district: str
    reason: str
    status: str
    status_zh: str
    withdrawn_reason: str
    carried_entry_id: int | None
    created_at: datetime


class EntryRead(BaseModel):
    """An entry of the round as the recommendation step shows it (the answers are read with GET /applications/{id})."""

    application_id: int
    title: str
    organisation_id: int
    organisation_name: str
    organisation_district: str | None
    status: str
    status_zh: str
    submitted_at: datetime | None
    recommendation: RecommendationRead | None


EntryShow = Literal["recommended", "all"]


class RecommendationRoundRead(BaseModel):
    """A city-level round at the 区级推荐 stage; ``quota`` and ``recommended`` are the caller's district's (None and
    the round's total for city staff)."""

    round_id: int
    name: str
    status: str
    closes_at: datetime
    quota: int | None
    recommended: int
    forwarded: bool


class ForwardRead(BaseModel):
    round_id: int
    next_round_id: int
    advanced: int
    not_advanced: int
    closed_at: datetime
    # True when an earlier call had already forwarded the round (nothing changed this time).
    already_forwarded: bool
