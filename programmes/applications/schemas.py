from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import Id, RequestModel
from programmes.workflows import APPLICATION


class ApplicationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"round_id": 1, "organisation_id": 1, "title": "社区老人助餐项目", "answers": {}}]
        },
    )
    round_id: Id
    organisation_id: Id
    track_id: Id | None = Field(default=None, description="赛道；轮次分赛道时必填")
    title: str = Field(min_length=2, max_length=200)
    answers: dict[str, Any] = Field(default_factory=dict, description="草稿可以不完整，提交时完整校验")


class ApplicationUpdate(RequestModel):
    """Autosave of a draft: whatever is given replaces the stored value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"answers": {"summary": "……"}}]})
    title: str | None = Field(default=None, min_length=2, max_length=200)
    answers: dict[str, Any] | None = None


class ApplicationWithdraw(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "项目团队调整，本年度不再参赛"}]}
    )
    reason: str = Field(min_length=2, max_length=500)


class ApplicationRead(BaseModel):
    id: int
    round_id: int
    track_id: int | None
    organisation_id: int
    applied_via_id: int | None = Field(default=None, description="备案类团队的申报：代为申报的服务中心（财务代管）")
    entry_number: int
    title: str
    status: str
    answers: dict[str, Any]
    submitted_at: dt.datetime | None = Field(description="北京时间")
    form_version_id: int | None
    returned_reason: str
    eligibility_outcome: str = Field(description="not_screened | eligible | ineligible | overridden")
    eligibility: dict[str, Any] | None


class OfficerAction(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"action": "return_for_revision", "application_ids": [3, 4], "reason": "预算明细不完整"}]
        },
    )
    action: str = Field(min_length=2, max_length=50, description=" / ".join(APPLICATION.bulk_actions()))
    application_ids: list[Id] = Field(min_length=1, max_length=500)
    reason: str = Field(default="", max_length=1000, description="退回、驳回、未入选时必填，申报单位可见")


class ActionResult(BaseModel):
    application_id: int
    ok: bool
    status: str | None = None
    code: str | None = None
    detail: str | None = None


class ScreenRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    application_ids: list[Id] = Field(min_length=1, max_length=500)


class EligibilityOverride(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=5, max_length=1000)


class TimelineEntry(BaseModel):
    action: str
    label: str
    actor: str
    status_before: str | None
    status_after: str | None
    reason: str
    at: dt.datetime


class FindingRead(BaseModel):
    code: str
    severity: str = Field(description="ineligible | needs_verification | warning …")
    reason: str


class PrecheckRead(BaseModel):
    """申报资格预检: one organisation of the caller against a round's rules today; nothing is recorded."""

    organisation_id: int
    organisation_name: str
    via_custodian: bool = Field(description="备案类团队：由代管的服务中心申报")
    eligible: bool
    screened_on: str = Field(description="预检日期（北京时间，ISO 日期）")
    findings: list[FindingRead]


class ScreeningRead(BaseModel):
    """One application's screening as recorded (资格审查结果)."""

    application_id: int
    eligibility_outcome: str
    changed: bool = Field(description="是否写入了新的审查结果")
    eligible: bool
    screened_on: str = Field(description="审查日期（北京时间，ISO 日期）")
    findings: list[FindingRead]
