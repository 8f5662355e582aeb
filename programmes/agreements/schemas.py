from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel
from programmes.tables import ReleaseCondition


class AgreementSign(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"signer_name": "张三"}]})
    signer_name: str = Field(min_length=2, max_length=100, description="法定代表人或授权签署人姓名")


class AgreementReturn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000)


class PlanTrancheRead(BaseModel):
    id: int
    sequence: int
    amount_fen: int
    status: str
    release_condition: ReleaseCondition
    milestone: int | None
    condition_zh: str


class PlanReportRead(BaseModel):
    id: int
    kind: str
    sequence: int
    due_on: date
    status: str


class AgreementRead(BaseModel):
    id: int
    award_id: int
    application_id: int
    status: str
    terms: str
    payee_id: int
    payee_account_id: int | None
    budget_plan: dict[str, Any]
    signer_name: str
    signed_at: datetime | None
    # Above the four-eyes amount: the first officer's countersignature, awaiting a second officer's.
    first_countersigned_by: int | None = None
    first_countersigned_at: datetime | None = None
    countersigned_by: int | None = None
    countersigned_at: datetime | None
    tranches: list[PlanTrancheRead]
    reports: list[PlanReportRead]
