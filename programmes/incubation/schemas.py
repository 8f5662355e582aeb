"""The boundary of the incubation room: request bodies (``RequestModel``) and the ``…Read`` models services
return. Field limits equal the columns' (tests/unit/test_schema_limits.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import Id, RequestModel

MAX_VALUE = 1e12


class CohortCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"edition_id": 3, "name": "2026 年第一期", "description": "首批入选项目"}]},
    )
    edition_id: Id = Field(description="沪社星耀的届次")
    name: str = Field(min_length=2, max_length=100, description="批次名称")
    description: str = Field(default="", max_length=1000)


class CohortRead(BaseModel):
    id: int
    edition_id: int
    name: str
    description: str
    projects: int
    scope_district: str | None
    created_at: datetime


class ProjectJoin(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"application_id": 12}]})
    application_id: Id = Field(description="入选或已签约资助的沪社星耀申报")


class IndicatorIn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="指标名称")
    unit: str = Field(min_length=1, max_length=20, description="单位，如「人次」")
    baseline: float = Field(default=0, ge=0, le=MAX_VALUE)
    target: float = Field(ge=0, le=MAX_VALUE)


class PlanWrite(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "goals": "为社区独居老人提供助餐与陪伴服务",
                    "indicators": [{"name": "服务人次", "unit": "人次", "baseline": 0, "target": 1200}],
                }
            ]
        },
    )
    goals: str = Field(default="", max_length=1000, description="项目目标")
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=20)


class IndicatorRead(BaseModel):
    id: int
    name: str
    unit: str
    baseline: float
    target: float
    # The latest value an accepted milestone report recorded (None: none yet).
    current: float | None
    reached: bool


class MilestoneRead(BaseModel):
    """A milestone is the award's progress report and the tranche its acceptance releases (one plan)."""

    report_id: int
    kind: str
    sequence: int
    due_on: date
    status: str
    late: bool
    tranche_id: int | None
    tranche_amount_fen: int | None
    tranche_status: str | None


class ProjectRead(BaseModel):
    id: int
    cohort_id: int
    application_id: int
    award_id: int | None
    organisation_id: int
    title: str
    goals: str
    status: str
    status_zh: str
    reason: str
    evaluation: dict[str, Any]
    clawback_id: int | None
    graduated_at: datetime | None
    indicators: list[IndicatorRead]
    milestones: list[MilestoneRead]
    created_at: datetime


class IndicatorValueIn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    indicator_id: Id
    value: float = Field(ge=0, le=MAX_VALUE)


class IndicatorValues(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"report_id": 40, "values": [{"indicator_id": 7, "value": 380}]}]},
    )
    report_id: Id = Field(description="该项目的中期/结项报告")
    values: list[IndicatorValueIn] = Field(min_length=1, max_length=20)


class DashboardRow(BaseModel):
    project_id: int
    title: str
    organisation_id: int
    status: str
    milestones_total: int
    milestones_done: int
    milestones_late: int
    tranches_total: int
    tranches_paid: int
    paid_fen: int
    open_warnings: int
    indicators_reached: int
    indicators_total: int
    indicators: list[IndicatorRead]
    # Camp attendance in the edition's camps where the organisation holds a seat (programmes.camps.participation):
    # sessions attended of those already held; the rate (0..1) is None while none has been held.
    sessions_attended: int
    sessions_held: int
    attendance_rate: float | None


class GraduationStart(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"round_id": 8}]})
    round_id: Id = Field(description="本届沪社星耀的结项评估轮次（stage=graduation，已开放）")


class ClawbackStart(RequestModel):
    model_config = ConfigDict(extra="forbid")
    amount_fen: int = Field(ge=1, le=10**12)
    finding: str = Field(min_length=2, max_length=1000)


class GraduationDecision(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"outcome": "excellent", "reason": "指标全部达成，服务模式可复制"},
                {
                    "outcome": "failed",
                    "reason": "指标未达成",
                    "clawback": {"amount_fen": 100000, "finding": "未按计划执行"},
                },
            ]
        },
    )
    outcome: str = Field(
        max_length=16, pattern="^(excellent|passed|failed)$", description="excellent 优秀；passed 合格；failed 不合格"
    )
    reason: str = Field(min_length=2, max_length=1000, description="评估结论的理由")
    clawback: ClawbackStart | None = Field(default=None, description="不合格时可同时启动资金追回")


class ReplicationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "origin_project_id": 5,
                    "organisation_id": 9,
                    "title": "社区助餐（浦东复制点）",
                    "plan": "复制助餐点运营模式",
                    "district": "pudong",
                    "street": "陆家嘴街道",
                    "beneficiaries": 300,
                    "origin_as_adviser": True,
                }
            ]
        },
    )
    origin_project_id: Id | None = Field(default=None, description="复制的已结项项目（与 parent_id 二选一）")
    parent_id: Id | None = Field(default=None, description="复制的复制推广项目（谱系的下一代）")
    organisation_id: Id = Field(description="承接复制的社会组织")
    title: str = Field(min_length=2, max_length=200)
    plan: str = Field(default="", max_length=1000)
    district: District
    street: str = Field(min_length=2, max_length=100)
    beneficiaries: int = Field(default=0, ge=0, le=10**8)
    origin_as_adviser: bool = Field(default=False, description="原项目机构担任顾问")


class Reason(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "方案与原项目差异过大"}]})
    reason: str = Field(min_length=2, max_length=1000)


class ReplicationRead(BaseModel):
    id: int
    origin_project_id: int
    parent_id: int | None
    organisation_id: int
    adviser_organisation_id: int | None
    title: str
    plan: str
    district: str
    street: str
    beneficiaries: int
    status: str
    status_zh: str
    reason: str
    approved_at: datetime | None
    created_at: datetime


class LineageNode(BaseModel):
    replication: ReplicationRead
    children: list[LineageNode]


class DistrictCount(BaseModel):
    district: str
    replications: int
    beneficiaries: int


class LineageRead(BaseModel):
    origin: ProjectRead
    replications: list[LineageNode]
    per_district: list[DistrictCount]


class PracticePublicRead(BaseModel):
    """The public page of a replicated practice: no people, no money."""

    project_id: int
    title: str
    organisation_name: str
    outcome: str
    outcome_zh: str
    goals: str
    replications: int
    beneficiaries: int
    districts: list[DistrictCount]
