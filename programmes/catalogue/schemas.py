from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.reference import District
from app.types import ExactInt, RequestModel, at_most_entries
from programmes.eligibility import EligibilityRules
from programmes.tables import ProgrammeKind, RoundStage

AttachmentType = Literal["pdf", "docx", "xlsx", "jpg", "png"]
DEFAULT_ATTACHMENT_TYPES: tuple[AttachmentType, ...] = ("pdf", "docx", "xlsx", "jpg", "png")


class ProgrammeCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "上海社会组织公益创新创业大赛", "kind": "contest"}]},
    )
    name: str = Field(min_length=2, max_length=200)
    kind: ProgrammeKind
    scope_district: District | None = Field(default=None, description="空 = 市级项目")
    description: str = Field(default="", max_length=5000)
    conflict_rules: list[Literal["same_street", "same_district"]] = Field(
        default_factory=list, description="项目的额外回避规则：同街镇、同区"
    )


class ProgrammeRead(BaseModel):
    id: int
    name: str
    kind: ProgrammeKind
    scope_district: District | None
    description: str


class EditionCreate(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2026, "title": "2026 年度"}]})
    year: ExactInt = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)


class EditionRead(BaseModel):
    id: int
    programme_id: int
    year: int
    title: str


class CriterionIn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    weight: ExactInt = Field(gt=0, le=1000)
    max_score: ExactInt = Field(gt=0, le=1000)
    allow_na: bool = Field(default=False, description="允许评为“不适用”，权重在已评项目间重新分配")
    comment_below: ExactInt | None = Field(default=None, ge=0, le=1000, description="低于此分须填写评语")
    anchors: Annotated[dict[str, str], at_most_entries(20)] = Field(
        default_factory=dict, description="各分数档的说明（最多 20 项）"
    )


# Declared before RoundCreate: Litestar's OpenAPI generator cannot resolve a later model in a list (it wrote
# tracks as an array without items, with maxLength).
class TrackIn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    quota: ExactInt | None = Field(default=None, gt=0, le=10000, description="入围名额")


class RoundCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "初赛",
                    "opens_at": "2026-03-01T09:00:00+08:00",
                    "closes_at": "2026-04-01T17:00:00+08:00",
                    "blind": True,
                    "form_title": "项目申报书",
                    "form_schema": {
                        "type": "object",
                        "required": ["summary"],
                        "properties": {"summary": {"type": "string", "title": "项目简介", "minLength": 10}},
                    },
                    "criteria": [
                        {"code": "innovation", "name": "创新性", "weight": 40, "max_score": 100},
                        {"code": "feasibility", "name": "可行性", "weight": 60, "max_score": 100},
                    ],
                }
            ]
        },
    )
    name: str = Field(min_length=1, max_length=100)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    blind: bool = True
    form_title: str = Field(min_length=1, max_length=200)
    form_schema: dict[str, Any]
    criteria: list[CriterionIn] = Field(min_length=1, max_length=30)
    tracks: list[TrackIn] = Field(default_factory=list, max_length=30, description="赛道；为空表示不分赛道")
    aggregation_method: Literal["weighted_mean", "median", "trimmed_mean", "calibrated_mean"] = Field(
        default="weighted_mean", description="排名采用的汇总方法（docs/scoring.md）"
    )
    reviews_per_application: ExactInt = Field(default=3, ge=1, le=20, description="每个申报的评审专家人数")
    eligibility_rules: EligibilityRules = Field(default_factory=EligibilityRules, description="自动资格审查规则")
    allow_multiple_entries: bool = Field(default=False, description="是否允许同一单位在同一赛道多次申报")
    attachment_types: list[AttachmentType] = Field(
        default_factory=lambda: list(DEFAULT_ATTACHMENT_TYPES), min_length=0, max_length=10
    )
    max_attachment_mb: ExactInt = Field(default=20, gt=0, le=200)
    max_application_attachment_mb: ExactInt = Field(default=100, gt=0, le=1000)
    stage: RoundStage = Field(
        default=RoundStage.call,
        description="本轮在届次中的阶段：call 申报、district_recommendation 区级推荐、preliminary 初赛、"
        "semifinal 复赛、final 决赛路演（每届一个）、custom 其他阶段、graduation 结项评估（仅沪社星耀）",
    )
    position: ExactInt = Field(default=0, ge=0, le=100, description="阶段顺序（小的在前）；轮次有申报后不能修改")


class TrackRead(BaseModel):
    id: int
    name: str
    quota: int | None


class FormVersionCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")
    form_title: str = Field(min_length=1, max_length=200)
    form_schema: dict[str, Any]


class CriterionRead(BaseModel):
    code: str
    name: str
    weight: int
    max_score: int


class RoundRead(BaseModel):
    id: int
    edition_id: int
    programme_id: int
    programme_name: str
    name: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    blind: bool
    aggregation_method: str
    reviews_per_application: int
    tie_break: list[str] = Field(default_factory=list, description="并列处理规则（docs/scoring.md）")
    form_id: int | None
    form_schema: dict[str, Any] | None
    criteria: list[CriterionRead]
    tracks: list[TrackRead]
    eligibility_rules: dict[str, Any]
    allow_multiple_entries: bool
    attachment_types: list[str]
    max_attachment_bytes: int
    max_application_attachment_bytes: int
    stage: str = Field(default=RoundStage.call, description="阶段（programmes.kinds.RoundStage）")
    position: int = Field(default=0, description="阶段顺序")
    scope_district: District | None = Field(default=None, description="区级项目所在区（限本区组织申报）；空 = 市级")


class RankingRow(BaseModel):
    rank: int
    application_id: int
    title: str
    weighted_mean: str = Field(description="精确加权平均分（字符串，6 位小数）")
    review_count: int
    methods: dict[str, Any] = Field(
        description="各汇总方法并列：method（本轮方法）、score、weighted_mean、median、trimmed_mean、calibrated_mean、spread"
    )
    flags: list[str] = Field(description="too_few_reviews、outlier_review:<专家编号>")
    cut_line_tie: str | None = Field(
        default=None, description="与他人并列于该赛道名额线（track:<编号>），须由项目官员裁定后才能公示"
    )
    cut_line_decided: bool = False
