from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel


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
