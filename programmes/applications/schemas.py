from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"round_id": 1, "organisation_id": 1, "title": "社区老人助餐项目", "answers": {}}]
        },
    )
    round_id: int
    organisation_id: int
    title: str = Field(min_length=2, max_length=200)
    answers: dict[str, Any] = Field(default_factory=dict, description="草稿可以不完整，提交时完整校验")


class ApplicationUpdate(BaseModel):
    """Autosave of a draft: whatever is given replaces the stored value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"answers": {"summary": "……"}}]})
    title: str | None = Field(default=None, min_length=2, max_length=200)
    answers: dict[str, Any] | None = None


class ApplicationRead(BaseModel):
    id: int
    round_id: int
    organisation_id: int
    title: str
    status: str
    answers: dict[str, Any]
    submitted_at: dt.datetime | None
