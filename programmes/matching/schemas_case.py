"""The boundary of the case library (案例库), replication and impact statistics: request bodies and ``…Read`` models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import Id, RequestModel
from programmes.matching.tables import DemandField


class CasePromote(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "order_id": 12,
                    "title": "银龄数字课堂走进新华路街道",
                    "summary": "社会组织志愿者每周到社区辅导老年人使用智能手机。",
                    "outcomes": "三个月培训 12 次，老人独立完成线上挂号的比例由 20% 升至 75%。",
                    "tags": ["elderly", "digital"],
                    "photo_ids": [3, 4],
                }
            ]
        },
    )
    order_id: Id = Field(description="已评价的对接订单编号")
    title: str = Field(min_length=2, max_length=200, description="案例标题")
    summary: str = Field(min_length=2, max_length=5000, description="案例简介（公开，勿含个人信息）")
    outcomes: str = Field(default="", max_length=5000, description="成效")
    tags: list[str] | None = Field(default=None, max_length=20, description="标签代码；不填则沿用需求的标签")
    photo_ids: list[Id] = Field(default=[], max_length=20, description="从该订单服务记录的文件中选取的照片编号")


class CaseWithdraw(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "案例信息需更新"}]})
    reason: str = Field(min_length=2, max_length=1000, description="撤下原因（记入审计日志）")


class CaseReplicate(RequestModel):
    """What the replicating community changes; the rest is copied from the case's demand."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"period_start": "2027-03-01", "period_end": "2027-05-31"}]},
    )
    title: str | None = Field(default=None, min_length=2, max_length=200, description="不填则沿用案例标题")
    period_start: date | None = Field(default=None, description="不填则从今天起")
    period_end: date | None = Field(default=None, description="不填则与原需求同样长")
    expected_beneficiaries: int | None = Field(default=None, ge=0, le=10_000_000)


class CaseRead(BaseModel):
    """A case as the public library shows it: no names, contacts or anything identifying people."""

    id: int
    order_id: int
    title: str
    summary: str
    field: DemandField
    field_label: str
    tags: list[str]
    outcomes: str
    beneficiaries: int = Field(description="服务人次（来自服务记录）")
    photo_ids: list[int]
    district: str
    street: str
    organisation: str = Field(description="承接的社会组织（机构名称公开）")
    status: str
    replications: int = Field(description="被复制次数")
    published_at: datetime | None
    created_at: datetime


class CaseStaffRead(CaseRead):
    withdrawn_reason: str


class LineageOrderRead(BaseModel):
    id: int
    status: str
    organisation: str
    delivered_at: datetime | None


class LineageDemandRead(BaseModel):
    id: int
    title: str
    status: str
    district: str
    street: str
    created_at: datetime
    orders: list[LineageOrderRead]


class LineageRead(BaseModel):
    """Case → the demands that replicated it → their orders."""

    case: CaseRead
    replications: list[LineageDemandRead]


class ReplicatedDemandRead(BaseModel):
    id: int
    source_case: int
    title: str
    status: str
    district: str
    street: str
    period_start: date
    period_end: date


class ImpactFilters(RequestModel):
    district: District | None = None
    field: DemandField | None = None
    date_from: date | None = Field(default=None, description="需求发布日期起（北京时间）")
    date_to: date | None = Field(default=None, description="需求发布日期止（含）")


class ImpactRow(BaseModel):
    view: str
    key: str
    label: str
    demands_published: int = Field(description="发布的需求数（对接活动：参与对接的需求；机构：被匹配或申请的需求）")
    demands_matched: int = Field(description="已有机构接单的需求数")
    demands_delivered: int = Field(description="已完成服务的需求数")
    match_rate: float = Field(description="对接率 = 已对接 / 发布")
    median_hours_to_match: float | None = Field(description="发布到首次接单的用时中位数（小时）")
    beneficiaries_served: int
    evaluations: int
    average_rating: float | None
    ratings_by_aspect: dict[str, float]
