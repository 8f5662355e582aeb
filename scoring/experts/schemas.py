from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.reference import District
from app.types import ExactInt, Id, RequestModel


class ExpertProfileWrite(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "domains": ["为老服务"],
                    "tags": ["社区治理", "助餐"],
                    "district": "changning",
                    "max_load_per_round": 20,
                    "affiliation_organisation_ids": [3],
                }
            ]
        },
    )
    domains: list[str] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=50)
    district: District | None = None
    street: str = Field(default="", max_length=100, description="所在街镇（同街镇回避规则使用）")
    languages: list[str] = Field(default_factory=lambda: ["zh"], max_length=10)
    max_load_per_round: ExactInt = Field(default=30, ge=0, le=1000)
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    affiliation_organisation_ids: list[Id] = Field(default_factory=list, max_length=50, description="任职或顾问的组织")


class ExpertProfileRead(BaseModel):
    expert_id: int
    username: str
    domains: list[str]
    tags: list[str]
    district: str | None
    street: str
    languages: list[str]
    max_load_per_round: int
    available_from: dt.date | None
    available_until: dt.date | None
    affiliation_organisation_ids: list[int]


class ConflictCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")
    expert_id: Id
    organisation_id: Id
    reason: str = Field(min_length=2, max_length=1000)


class DeclaredConflict(RequestModel):
    """An expert's own declaration (利益冲突申报), before or after being assigned."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"organisation_id": 3, "reason": "本人任该组织理事"}]}
    )
    organisation_id: Id
    reason: str = Field(min_length=2, max_length=1000)


class ConflictRead(BaseModel):
    id: int
    expert_id: int
    organisation_id: int
    source: str
    reason: str
    revoked_at: dt.datetime | None
    retracted_assignment_ids: list[int] = Field(default_factory=list, description="因此撤回的评审任务")
    excluded_review_ids: list[int] = Field(default_factory=list, description="已提交、现已排除出排名的评分")
    replacements: int = Field(default=0, description="重新分配的评审专家人数")
