"""Changes to a programme's and a round's settings after creation (PATCH: only the fields sent change)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel
from programmes.catalogue.schemas import AttachmentType, CriterionIn
from programmes.eligibility import EligibilityRules
from programmes.tables import ProgrammeKind, RoundStage
from scoring.aggregation import Method as AggregationMethod  # the methods ranking knows, no others


class TrackChange(RequestModel):
    """An existing track renamed or given another quota (tracks hold applications: none is added or removed here)."""

    model_config = ConfigDict(extra="forbid")
    id: Id
    name: str | None = Field(default=None, min_length=1, max_length=100)
    quota: ExactInt | None = Field(default=None, gt=0, le=10000, description="入围名额；显式传 null 表示不限")


class RoundSettingsUpdate(RequestModel):
    """修改轮次设置. ``blind`` and ``criteria`` are locked once review has started (an expert was assigned)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"closes_at": "2026-04-08T17:00:00+08:00", "reason": "申报截止延长一周"}]},
    )
    name: str | None = Field(default=None, min_length=1, max_length=100)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    blind: bool | None = Field(default=None, description="匿名评审；评审开始后不能修改")
    aggregation_method: AggregationMethod | None = Field(
        default=None, description="排名采用的汇总方法；轮次关闭后不能修改"
    )
    reviews_per_application: ExactInt | None = Field(default=None, ge=1, le=20)
    tie_break: list[Annotated[str, Field(min_length=2, max_length=60)]] | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="并列处理规则（依次比较）：criteria、criterion:<代码>、spread、submitted_at、id；轮次关闭后不能修改",
    )
    eligibility_rules: EligibilityRules | None = Field(default=None, description="自动资格审查规则（整体替换）")
    allow_multiple_entries: bool | None = None
    attachment_types: list[AttachmentType] | None = Field(default=None, max_length=10)
    max_attachment_mb: ExactInt | None = Field(default=None, gt=0, le=200)
    max_application_attachment_mb: ExactInt | None = Field(default=None, gt=0, le=1000)
    criteria: list[CriterionIn] | None = Field(
        default=None, min_length=1, max_length=30, description="评分标准（整体替换）；评审开始后不能修改"
    )
    tracks: list[TrackChange] | None = Field(default=None, max_length=30, description="赛道名称与入围名额")
    stage: RoundStage | None = Field(default=None, description="阶段；轮次有申报后不能修改（每届一个决赛）")
    position: ExactInt | None = Field(default=None, ge=0, le=100, description="阶段顺序；轮次有申报后不能修改")
    reason: str = Field(default="", max_length=1000, description="修改原因，记入审计日志")


class ProgrammeUpdate(RequestModel):
    """修改项目. ``kind`` decides the workflow: it cannot change once the programme has editions."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "上海社会组织公益创投"}]})
    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: ProgrammeKind | None = Field(default=None, description="项目类型；已有届次后不能修改")
    description: str | None = Field(default=None, max_length=5000)
    conflict_rules: list[Literal["same_street", "same_district"]] | None = Field(
        default=None, description="项目的额外回避规则（整体替换）"
    )
    reason: str = Field(default="", max_length=1000, description="修改原因，记入审计日志")
