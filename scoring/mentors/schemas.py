"""Request and response models of the mentor room."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel, at_most_entries

Domain = Annotated[str, Field(min_length=1, max_length=50)]


class MentorProfileWrite(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"domains": ["品牌传播"], "max_projects": 3, "mentor": True}]}
    )
    mentor: bool = True
    domains: Annotated[list[Domain], at_most_entries(20)] = []
    max_projects: int = Field(default=3, ge=1, le=50)


class MentorProfileRead(BaseModel):
    expert_id: int
    username: str
    mentor: bool
    domains: list[str]
    max_projects: int
    live_projects: int


class MentorPlanRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"mentors_per_project": 1}]})
    mentors_per_project: int = Field(default=1, ge=1, le=5)


class MentorPairRead(BaseModel):
    application_id: int
    mentor_id: int
    affinity: int
    shared_tags: list[str]
    domain_match: bool


class MentorPlanRead(BaseModel):
    """The solver's mentor plan for a round's supported projects (preview: nothing written; commit: written)."""

    pairs: list[MentorPairRead]
    total_affinity: int
    solver: str
    optimal: bool


class MentorshipRead(BaseModel):
    id: int
    application_id: int
    application_title: str
    organisation_id: int
    mentor_id: int
    mentor_username: str
    status: str
    status_zh: str
    reason: str
    created_at: dt.datetime


class MeetingWrite(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "met_on": "2026-12-01",
                    "topic": "品牌定位",
                    "advice": "聚焦一类服务对象",
                    "follow_ups": "两周内提交传播方案",
                }
            ]
        },
    )
    met_on: dt.date
    topic: str = Field(min_length=2, max_length=200)
    advice: str = Field(default="", max_length=1000)
    follow_ups: str = Field(default="", max_length=1000)


class MeetingRead(BaseModel):
    id: int
    mentorship_id: int
    met_on: dt.date
    topic: str
    advice: str
    follow_ups: str
    created_at: dt.datetime


class RatingWrite(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"score": 5, "comment": "很有帮助"}]})
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class RatingRead(BaseModel):
    id: int
    mentorship_id: int
    score: int
    comment: str
    created_at: dt.datetime
