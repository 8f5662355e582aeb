from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"round_id": 1, "organisation_id": 1, "title": "社区老人助餐项目", "answers": {}}]
        },
    )
    round_id: ExactInt
    organisation_id: ExactInt
    title: str = Field(min_length=2, max_length=200)
    answers: dict[str, Any] = Field(default_factory=dict, description="草稿可以不完整，提交时完整校验")


class ApplicationUpdate(BaseModel):
    """Autosave of a draft: whatever is given replaces the stored value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"answers": {"summary": "……"}}]})
    title: str | None = Field(default=None, min_length=2, max_length=200)
    answers: dict[str, Any] | None = None


class ApplicationWithdraw(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "项目团队调整，本年度不再参赛"}]}
    )
    reason: str = Field(min_length=2, max_length=500)


class ApplicationRead(BaseModel):
    id: int
    round_id: ExactInt
    organisation_id: ExactInt
    title: str
    status: str
    answers: dict[str, Any]
    submitted_at: dt.datetime | None
