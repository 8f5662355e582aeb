"""Service offers, their versions, the organisation's track record and per-demand recommendations at the boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import ExactInt, Id, RequestModel
from programmes.matching.tables import DemandField

MAX_TAGS = 10
MAX_CAPACITY = 1000
MAX_FEN = 10_000_000_000  # 1 亿元: beyond any single purchase of services, and inside bigint

_EXAMPLE: dict[str, Any] = {
    "field": "governance",
    "tags": ["elderly", "digital"],
    "title": "银龄数字课堂",
    "description": "志愿者一对一辅导老年人使用智能手机就医、出行、缴费。",
    "city_wide": False,
    "districts_served": ["changning", "xuhui"],
    "capacity": 3,
    "price_min_fen": None,
    "price_max_fen": None,
    "delivery_days": 30,
}


class OfferContent(RequestModel):
    """What an offer says (the part an edit may change and a version snapshots)."""

    field: DemandField = Field(
        description="领域：rural_urban 城乡帮扶 / governance 社区治理 / livelihood 民生服务 / culture_sports 文体活动"
    )
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS, description="标签代码（须为启用中的标签）")
    title: str = Field(min_length=2, max_length=200, description="服务项目名称")
    description: str = Field(default="", max_length=1000, description="服务内容简介")
    city_wide: bool = Field(default=False, description="全市范围服务；为 false 时须列出服务的区")
    districts_served: list[District] = Field(default_factory=list, max_length=16, description="服务的区")
    capacity: ExactInt = Field(default=1, ge=1, le=MAX_CAPACITY, description="可同时承接的订单数 1–1000")
    price_min_fen: ExactInt | None = Field(
        default=None, ge=0, le=MAX_FEN, description="报价下限（分）；两者皆空为公益无偿"
    )
    price_max_fen: ExactInt | None = Field(default=None, ge=0, le=MAX_FEN, description="报价上限（分）")
    delivery_days: ExactInt | None = Field(default=None, ge=1, le=3650, description="交付周期（天）")


class ServiceOfferCreate(OfferContent):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{**_EXAMPLE, "organisation_id": 12, "registration_id": None}]}
    )
    organisation_id: Id
    registration_id: Id | None = Field(default=None, description="来源的聚力计划服务项目登记（已入库的申报）")


class ServiceOfferUpdate(OfferContent):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})


class ServiceOfferDecision(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "服务区域与机构登记地不符"}]})
    reason: str = Field(min_length=2, max_length=1000, description="原因（机构可见）")


class TrackRecordRead(BaseModel):
    """Computed from the organisation's orders and evaluations, never typed."""

    delivered: int
    evaluated: int
    average_rating: float | None  # overall 1..5, one decimal
    on_time_share: float | None  # 0..1: delivered by the demand's period end


class OfferRead(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    registration_id: int | None
    field: str
    field_zh: str
    tags: list[str]
    title: str
    description: str
    city_wide: bool
    districts_served: list[str]
    capacity: int
    price_min_fen: int | None
    price_max_fen: int | None
    free_of_charge: bool
    delivery_days: int | None
    version: int
    status: str
    status_zh: str
    decision_reason: str
    track_record: TrackRecordRead
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OfferVersionRead(BaseModel):
    version: int
    snapshot: dict[str, Any]
    created_at: datetime


class OfferPrefill(BaseModel):
    """An offer body pre-filled from an approved 聚力计划 registration, to review and post to ``/offers``."""

    registration_id: int
    organisation_id: int
    title: str
    field: str | None
    tags: list[str]
    description: str


class ScoreTermRead(BaseModel):
    name: str
    label_zh: str
    points: int
    detail_zh: str


class RecommendationRead(BaseModel):
    offer_id: int
    organisation_id: int
    organisation_name: str
    title: str
    score: int
    terms: list[ScoreTermRead]
    explanation_zh: list[str]


class RecommendationsRead(BaseModel):
    """A demand's top list: a ranking computed now (scores move with capacity and track records), bounded by
    ``top`` rather than paged — counting every candidate for a total would mean scoring them all."""

    demand_id: int
    top: int
    recommendations: list[RecommendationRead]
