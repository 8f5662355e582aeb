from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.types import ExactInt, Id, RequestModel
from programmes.kinds import AwardType, ExpenseCategory, FundSourceKind, ReleaseCondition


class FundSourceCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "2026 年市级福彩公益金", "kind": "welfare_lottery"}]}
    )
    name: str = Field(min_length=2, max_length=200)
    kind: FundSourceKind


class FundSourceRead(BaseModel):
    id: int
    name: str
    kind: FundSourceKind


class BudgetLineCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"fund_source_id": 1, "amount_fen": 100_000_000}]}
    )
    fund_source_id: Id
    amount_fen: ExactInt = Field(gt=0, le=10**13, description="金额，单位：分（整数）")


class BudgetLineRead(BaseModel):
    id: int
    edition_id: int
    fund_source_id: int
    amount_fen: int
    obligated_fen: int
    available_fen: int


class PlannedTranche(RequestModel):
    model_config = ConfigDict(extra="forbid")
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="本笔金额（分）")
    condition: ReleaseCondition = Field(
        default=ReleaseCondition.on_signing, description="拨付条件：协议生效 / 第 N 期中期报告验收 / 结项报告验收"
    )
    report_due_on: date | None = Field(default=None, description="对应报告的截止日期（中期、结项款项必填）")

    @field_validator("condition")
    @classmethod
    def _award_condition(cls, value: ReleaseCondition) -> ReleaseCondition:
        # on_delivery releases a 聚力计划 order's tranche (programmes.matching.obligations), never an award's.
        if value is ReleaseCondition.on_delivery:
            raise ValueError("资助拨付计划的拨付条件须为协议生效、中期报告验收或结项报告验收")
        return value


class AwardCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"application_id": 1, "budget_line_id": 1, "amount_fen": 5_000_000}]},
    )
    application_id: Id
    budget_line_id: Id
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="资助金额，单位：分（整数）")
    award_type: AwardType = Field(
        default=AwardType.reward, description="一次性开办补贴/工作经费/房租/大型活动/人员补贴/奖励"
    )
    payment_plan: list[PlannedTranche] | None = Field(
        default=None,
        min_length=1,
        max_length=12,
        description="拨付计划：各笔金额之和须等于资助金额；省略时为协议生效后一次性拨付",
    )
    final_report_due_on: date | None = Field(
        default=None, description="结项报告截止日期（计划中有结项后拨付的款项时取该款项的日期）"
    )
    budget_plan: dict[ExpenseCategory, ExactInt] | None = Field(
        default=None, description="项目预算（按支出类别，单位：分），各类之和须等于资助金额；报告支出据此比对"
    )


class AwardReduce(RequestModel):
    model_config = ConfigDict(extra="forbid")
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="新的资助金额（分）")
    # 900, not 1000: returning a signed agreement for re-signing prefixes it in the audit reason (1000 in all).
    reason: str = Field(min_length=2, max_length=900)


class AwardCancel(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000)


class TrancheRead(BaseModel):
    id: int
    award_id: int
    sequence: int
    amount_fen: int
    status: str
    release_condition: ReleaseCondition
    milestone: int | None


class AwardRead(BaseModel):
    id: int
    application_id: int
    budget_line_id: int
    amount_fen: int
    award_type: str
    status: str
    payee_id: int
    agreement_id: int | None
    agreement_status: str | None
    tranches: list[TrancheRead]
