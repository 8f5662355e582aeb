from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt
from programmes.tables import AwardType, FundSourceKind


class FundSourceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "2026 年市级福彩公益金", "kind": "welfare_lottery"}]}
    )
    name: str = Field(min_length=2, max_length=200)
    kind: FundSourceKind


class FundSourceRead(BaseModel):
    id: int
    name: str
    kind: FundSourceKind


class BudgetLineCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"fund_source_id": 1, "amount_fen": 100_000_000}]}
    )
    fund_source_id: ExactInt
    amount_fen: ExactInt = Field(gt=0, le=10**13, description="金额，单位：分（整数）")


class BudgetLineRead(BaseModel):
    id: int
    edition_id: int
    fund_source_id: ExactInt
    amount_fen: int
    obligated_fen: int
    available_fen: int


class AwardCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"application_id": 1, "budget_line_id": 1, "amount_fen": 5_000_000}]},
    )
    application_id: ExactInt
    budget_line_id: ExactInt
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="资助金额，单位：分（整数）")
    award_type: AwardType = Field(
        default=AwardType.reward, description="一次性开办补贴/工作经费/房租/大型活动/人员补贴/奖励"
    )


class AwardReduce(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="新的资助金额（分）")
    reason: str = Field(min_length=2, max_length=1000)


class AwardCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000)


class TrancheRead(BaseModel):
    id: int
    award_id: int
    sequence: int
    amount_fen: int
    status: str


class AwardRead(BaseModel):
    id: int
    application_id: ExactInt
    budget_line_id: ExactInt
    amount_fen: int
    award_type: str
    status: str
    payee_id: int
    tranches: list[TrancheRead]
