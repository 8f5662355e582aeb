"""Matching sessions (交流对接活动) at the boundary: request bodies and the ``…Read`` models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.organisations.tables import OrganisationType
from app.reference import District
from app.types import Id, RequestModel
from programmes.matching.tables import SessionKind

Tag = str


class SessionRules(RequestModel):
    unmatched_penalty: int = Field(
        default=0, ge=0, le=1000, description="每个未匹配名额扣减的分数（越高越倾向于多匹配）"
    )
    forbid_own_street_centre: bool = Field(default=False, description="排除需求所在街镇的社会组织服务中心（利益冲突）")


class SessionCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "2026 年聚力计划社区社会组织专场",
                    "kind": "special",
                    "required_tags": ["community_org"],
                    "rules": {"unmatched_penalty": 20, "forbid_own_street_centre": True},
                }
            ]
        },
    )
    title: str = Field(min_length=2, max_length=200, description="活动名称")
    kind: SessionKind = Field(default=SessionKind.general, description="general 交流对接活动；special 专场")
    district: District | None = Field(
        default=None, description="范围：区级官员固定为本区；市级官员可指定一个区，不填为全市"
    )
    required_tags: list[Tag] = Field(default=[], max_length=20, description="专场：服务项目须含其中一个标签")
    organisation_types: list[OrganisationType] = Field(default=[], max_length=10, description="专场：限定组织类型")
    rules: SessionRules = Field(default_factory=SessionRules)


class PairAdd(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"demand_id": 3, "offer_id": 8}]})
    demand_id: Id
    offer_id: Id


class SessionCancel(RequestModel):
    reason: str = Field(min_length=2, max_length=1000)


class SessionPairRead(BaseModel):
    id: int
    demand_id: int
    offer_id: int
    score: int
    terms: dict[str, int]
    source: str


class SessionUnmatchedRead(BaseModel):
    demand_id: int
    reason: str
    detail_zh: str


class SessionRead(BaseModel):
    id: int
    title: str
    kind: str
    district: str | None
    required_tags: list[str]
    organisation_types: list[str]
    rules: dict[str, int | bool]
    status: str
    status_zh: str
    pairs: int
    unmatched: int
    score_total: int  # Σ of the preview's pair scores
    previewed_at: datetime | None
    published_at: datetime | None
    created_at: datetime
