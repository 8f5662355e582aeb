from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel


class DrawRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"projects": 5, "inspectors_per_project": 2}]}
    )
    projects: ExactInt = Field(ge=1, le=1000, description="抽取的项目数")
    inspectors_per_project: ExactInt = Field(ge=1, le=10, description="每个项目的检查人员数")
    # No seed field: the server generates it (commit-reveal); a body with "seed" is refused as an unknown field.
    redraw_reason: str = Field(default="", max_length=1000, description="本届次已有抽查时必填：重新抽取的原因（公开）")


class FindingRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    award_id: Id
    finding: str = Field(min_length=2, max_length=1000, description="检查结果（公开）")
    corrects: Id | None = Field(default=None, description="更正时填写被更正的检查结果编号（原结果保留并公开）")


class FindingRead(BaseModel):
    id: int
    finding: str
    corrects: int | None
    recorded_at: datetime


class DrawnProjectRead(BaseModel):
    award_id: int
    title: str
    organisation: str
    inspectors: list[str] = Field(description="检查人员姓名")
    finding: str = Field(description="现行检查结果（最近一次记录）")
    findings: list[FindingRead] = Field(description="全部检查结果，含被更正的")


class DrawRead(BaseModel):
    """The public form of a draw (一公开)."""

    id: int
    edition_id: int
    status: str
    seed_hash: str
    seed: str | None = Field(description="抽取后公开；此前为空")
    projects_to_draw: int
    inspectors_per_project: int
    candidate_awards: list[int]
    candidate_inspectors: list[int]
    conflicts: dict[str, list[int]] = Field(description="{资助编号: 回避的检查人员编号}")
    redraw_reason: str
    superseded_by: int | None
    committed_at: datetime
    drawn_at: datetime | None
    projects: list[DrawnProjectRead]
