from __future__ import annotations

import datetime as dt
from typing import Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.types import RequestModel
from programmes.supervision import risk
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


class RiskWarningController(Controller):
    path = "/risk-warnings"
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt={"permission": STAFF}, summary="预警列表（本人范围内）")
    async def list(
        self,
        principal: CurrentPrincipal,
        status: FromQuery[WarningStatus | None] = None,
        kind: FromQuery[WarningKind | None] = None,
    ) -> list[RiskWarningRead]:
        return [RiskWarningRead(**row) for row in await risk.list_warnings(principal, status, kind)]

    @post("/{warning_id:int}/dismiss", opt={"permission": STAFF}, summary="经核实排除预警", status_code=200)
    async def dismiss(
        self, principal: CurrentPrincipal, warning_id: FromPath[int], data: JSONBody[DismissRequest]
    ) -> RiskWarningRead:
        return RiskWarningRead(**await risk.dismiss_warning(principal, warning_id, data.reason))
