from __future__ import annotations

from datetime import date, datetime

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.types import ExactInt, Id, RequestModel
from programmes.supervision import clawbacks


class ClawbackCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount_fen": 120_000, "finding": "活动经费列支与项目无关的餐费"}]},
    )
    amount_fen: ExactInt = Field(gt=0, le=10**13, description="追回金额（分）")
    finding: str = Field(min_length=2, max_length=1000, description="审计发现")
    inspection_draw_id: Id | None = Field(default=None, description="所依据的双随机抽查（须抽中该资助）")
    due_on: date | None = Field(default=None, description="退款期限")


class RefundCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"amount_fen": 60_000, "bank_reference": "BOS20261201000123"}]}
    )
    amount_fen: ExactInt = Field(gt=0, le=10**13, description="到账金额（分）")
    bank_reference: str = Field(
        min_length=4,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="银行到账流水号（重复提交同一流水号不会重复登记）",
    )


class ClawbackWithdraw(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000)


class RefundRead(BaseModel):
    id: int
    amount_fen: int
    bank_reference: str
    created_at: datetime


class ClawbackRead(BaseModel):
    id: int
    award_id: int
    amount_fen: int
    refunded_fen: int
    outstanding_fen: int
    finding: str
    inspection_draw_id: int | None
    status: str
    status_zh: str
    due_on: date | None
    created_at: datetime
    refunds: list[RefundRead]


class ClawbackController(Controller):
    tags = ["supervision"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/awards/{award_id:int}/clawbacks", opt={"permission": STAFF}, summary="追回：依审计发现要求退回已拨付资金")
    async def demand(
        self, principal: CurrentPrincipal, award_id: FromPath[int], data: JSONBody[ClawbackCreate]
    ) -> ClawbackRead:
        row = await clawbacks.demand(
            principal, award_id, data.amount_fen, data.finding, data.inspection_draw_id, data.due_on
        )
        return ClawbackRead(**row)

    @get("/awards/{award_id:int}/clawbacks", opt={"permission": STAFF}, summary="An award's clawbacks")
    async def list_for_award(self, principal: CurrentPrincipal, award_id: FromPath[int]) -> list[ClawbackRead]:
        return [ClawbackRead(**row) for row in await clawbacks.list_for_award(principal, award_id)]

    @get("/clawbacks/{clawback_id:int}", opt={"permission": STAFF}, summary="A clawback with its refunds")
    async def read(self, principal: CurrentPrincipal, clawback_id: FromPath[int]) -> ClawbackRead:
        return ClawbackRead(**await clawbacks.read_for(principal, clawback_id))

    @post(
        "/clawbacks/{clawback_id:int}/refunds",
        opt={"permission": STAFF},
        summary="Record a refund received (idempotent per bank reference); the full amount settles the clawback",
        status_code=200,
    )
    async def refund(
        self, principal: CurrentPrincipal, clawback_id: FromPath[int], data: JSONBody[RefundCreate]
    ) -> ClawbackRead:
        return ClawbackRead(
            **await clawbacks.record_refund(principal, clawback_id, data.amount_fen, data.bank_reference)
        )

    @post(
        "/clawbacks/{clawback_id:int}/withdraw",
        opt={"permission": STAFF},
        summary="Withdraw a clawback nothing has been refunded on",
        status_code=200,
    )
    async def withdraw(
        self, principal: CurrentPrincipal, clawback_id: FromPath[int], data: JSONBody[ClawbackWithdraw]
    ) -> ClawbackRead:
        return ClawbackRead(**await clawbacks.withdraw(principal, clawback_id, data.reason))
