"""Schemas of the stage order (an edition's rounds in order) and of a carried entry's stage answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel, at_least_entries, at_most_entries


class StageRead(BaseModel):
    round_id: int
    name: str
    stage: str
    stage_label: str
    position: int
    status: str
    admits_direct_applications: bool
    entries: int = Field(description="本阶段的申报数（不含已撤回）")
    carried_in: int = Field(description="由上一阶段带入的申报数")
    advanced: int = Field(description="已晋级下一阶段的申报数")
    not_advanced: int = Field(description="未晋级的申报数")


class StageAnswersUpdate(RequestModel):
    """A carried entry's answers for the fields this stage's form adds or marks ``x-ui.stageEditable``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answers": {"roadshow_plan": "路演分三部分：需求、成效、计划"}}]},
    )
    answers: Annotated[dict[str, Any], at_least_entries(1), at_most_entries(200)] = Field(
        description="本阶段可更新的字段及其新答案",
        json_schema_extra={"minProperties": 1, "maxProperties": 200},
    )


class SubmissionVersionRead(BaseModel):
    version: int = Field(description="1 为带入时的版本")
    answers: dict[str, Any]
    created_at: dt.datetime | None
