"""Schemas of the stage advance (晋级): quotas per track and per applicant district, the preview, tie decisions and
the commit's answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import ExactInt, Id, RequestModel
from scoring.publication.schemas import CUTOFF, CutLineTieRead


class TrackQuota(RequestModel):
    model_config = ConfigDict(extra="forbid")
    track_id: Id
    quota: ExactInt = Field(ge=1, le=10000, description="该赛道晋级名额（替代赛道设置的入围名额）")


class DistrictQuota(RequestModel):
    model_config = ConfigDict(extra="forbid")
    district: District = Field(description="申报单位所在区")
    quota: ExactInt = Field(ge=1, le=10000, description="该区晋级名额")


class StageQuota(RequestModel):
    """The advance's quota: ``top_n`` overall, each track's (the tracks' own 入围名额 unless ``track_quotas`` names
    the track), each applicant district's, and a score cut-off."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"top_n": 30, "district_quotas": [{"district": "pudong", "quota": 5}], "track_quotas": []}]
        },
    )
    top_n: ExactInt | None = Field(default=None, ge=1, le=10000, description="晋级总数")
    cutoff: str | None = Field(default=None, max_length=11, pattern=CUTOFF, description="分数线（含）")
    track_quotas: list[TrackQuota] = Field(default_factory=list, max_length=30)
    district_quotas: list[DistrictQuota] = Field(default_factory=list, max_length=16)


class StageTieDecision(StageQuota):
    """Which tied entries pass one cut line of this advance's quota (with a reason, audited)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_quotas": [{"district": "pudong", "quota": 1}],
                    "line": "district:pudong",
                    "rank": 3,
                    "passed_application_ids": [21],
                    "reason": "路演材料更完整",
                }
            ]
        },
    )
    line: str = Field(
        max_length=32,
        pattern=r"^(overall|track:\d{1,10}|district:[a-z]{2,16})$",
        description="overall、track:<赛道编号> 或 district:<区>",
    )
    rank: ExactInt = Field(ge=1, le=1_000_000, description="并列的名次")
    passed_application_ids: list[Id] = Field(min_length=1, max_length=500, description="晋级的并列申报")
    reason: str = Field(min_length=2, max_length=1000, description="裁定理由，记入审计日志")


class StageEntryRead(BaseModel):
    application_id: int
    title: str
    rank: int
    track_id: int | None
    district: str | None
    status: str
    advancing: bool
    reason: str | None = Field(
        description="未晋级的原因：below_cutoff、top_n_reached、group_full（赛道名额已满）、district_full（区名额已满）、"
        "tie（并列裁定未入围）"
    )
    carried_entry_id: int | None = Field(description="已带入下一阶段的申报编号")


class StagePreviewRead(BaseModel):
    round_id: int
    next_round_id: int | None
    next_round_name: str | None
    entries: list[StageEntryRead] = Field(description="排名顺序")
    ties: list[CutLineTieRead] = Field(description="入围线上的并列；未裁定的须先裁定才能提交")
    undecided_ties: int
    committed: bool = Field(description="本阶段的晋级已提交")


class StageAdvanceRead(StagePreviewRead):
    advanced_now: list[int] = Field(description="本次提交晋级的申报")
    not_advanced_now: list[int] = Field(description="本次提交确定未晋级的申报")
    carried_now: dict[str, int] = Field(description="本次带入下一阶段的申报：原申报编号 → 新申报编号")
