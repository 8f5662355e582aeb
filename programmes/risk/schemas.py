from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel
from programmes.workflows.supervision import RiskWarningStatusName

WarningStatus = RiskWarningStatusName
WarningKind = Literal[
    "report_overdue", "organisation_listed", "certificate_expired", "spending_off_plan", "application_ineligible"
]


class DismissRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "已电话核实，报告已线下提交"}]}
    )
    reason: str = Field(min_length=2, max_length=1000, description="排除理由（记入审计日志）")


class RiskWarningRead(BaseModel):
    id: int
    kind: str
    kind_zh: str
    subject_key: str
    award_id: int | None
    organisation_id: int | None
    detail: str
    status: str
    status_zh: str
    scope_district: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    closed_at: dt.datetime | None
