from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.reference import District
from app.types import ExactInt
from programmes.tables import ProgrammeKind


class ProgrammeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "上海社会组织公益创新创业大赛", "kind": "contest"}]},
    )
    name: str = Field(min_length=2, max_length=200)
    kind: ProgrammeKind
    scope_district: District | None = Field(default=None, description="空 = 市级项目")
    description: str = Field(default="", max_length=5000)


class ProgrammeRead(BaseModel):
    id: int
    name: str
    kind: ProgrammeKind
    scope_district: District | None
    description: str


class EditionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2026, "title": "2026 年度"}]})
    year: ExactInt = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)


class EditionRead(BaseModel):
    id: int
    programme_id: int
    year: int
    title: str


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    weight: ExactInt = Field(gt=0, le=1000)
    max_score: ExactInt = Field(gt=0, le=1000)


class RoundCreate(BaseModel):
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
    form_id: int | None
    form_schema: dict[str, Any] | None
    criteria: list[CriterionRead]


class RankingRow(BaseModel):
    rank: int
    application_id: int
    title: str
    weighted_mean: str = Field(description="精确加权平均分（字符串，6 位小数）")
    review_count: int
