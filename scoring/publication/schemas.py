"""Schemas of 公示 (publication, objections, the re-review's correction) and of the cut-line ties (入围线并列)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel

CUTOFF = r"^\d{1,4}(\.\d{1,6})?$"


class CutLineDecisionCreate(RequestModel):
    """Which tied entries pass one cut line; ``top_n``/``cutoff`` are the quota the 公示 will be published with."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"line": "overall", "rank": 2, "top_n": 2, "passed_application_ids": [13], "reason": "实地走访得分更高"}
            ]
        },
    )
    line: str = Field(max_length=32, pattern=r"^(overall|track:\d{1,10})$", description="overall 或 track:<赛道编号>")
    rank: ExactInt = Field(ge=1, le=1_000_000, description="并列的名次")
    top_n: ExactInt | None = Field(default=None, ge=1, le=10000, description="入围总数（与公示时一致）")
    cutoff: str | None = Field(default=None, max_length=11, pattern=CUTOFF, description="分数线（含）")
    passed_application_ids: list[Id] = Field(min_length=1, max_length=500, description="入围的并列申报")
    reason: str = Field(min_length=2, max_length=1000, description="裁定理由，记入审计日志")


class CutLineTieRead(BaseModel):
    line: str
    rank: int
    places: int = Field(description="这些并列申报中可入围的名额")
    tied_application_ids: list[int]
    decided: bool
    passed_application_ids: list[int] | None


class CutLineDecisionRead(CutLineTieRead):
    id: int


class PublishRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"days": 7, "top_n": 30}]})
    days: ExactInt = Field(ge=1, le=60, description="公示天数")
    top_n: ExactInt | None = Field(default=None, ge=1, le=10000, description="入围总数；各赛道名额取赛道设置")
    cutoff: str | None = Field(
        default=None, max_length=11, pattern=r"^\d{1,4}(\.\d{1,6})?$", description="分数线（含）"
    )


class PublicEntry(BaseModel):
    application_id: int
    title: str
    organisation: str


class Correction(BaseModel):
    """更正公示: one dated change of the list after a re-review; the earlier list stays on record."""

    at: dt.datetime
    objection_ids: list[int]
    added: list[int]
    removed: list[int]
    ends_at: dt.datetime
    note: str


class PublicationRead(BaseModel):
    """The public notice: projects and organisations only — never scores or reviewer names."""

    id: int
    round_id: int
    round_name: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    entries: list[PublicEntry]
    corrections: list[Correction] = []


class ObjectionCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")
    application_id: Id
    reason: str = Field(min_length=10, max_length=1000)


class ObjectionResolve(RequestModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["upheld", "dismissed"]
    resolution: str = Field(min_length=2, max_length=1000)


class RereviewConclude(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"days": 5, "note": "重新评审完成，更正公示名单"}]}
    )
    days: ExactInt = Field(ge=1, le=60, description="更正后重新公示的天数")
    note: str = Field(min_length=2, max_length=1000, description="更正说明（公开）")


class ObjectionRead(BaseModel):
    id: int
    publication_id: int
    application_id: int
    status: str
    reason: str
    resolution: str
