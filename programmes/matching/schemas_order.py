"""The order side's boundary: request bodies (``RequestModel``) and the ``…Read`` models its services return."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel

# The aspects a community rates (1–5 each); the overall rating is their rounded mean.
ASPECTS_ZH: dict[str, str] = {
    "quality": "服务质量",
    "timeliness": "及时性",
    "communication": "沟通配合",
    "effect": "实际成效",
}


class ObligationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"budget_line_id": 3, "amount_fen": 1_500_000}]}
    )
    budget_line_id: Id = Field(description="聚力计划届次的预算科目（市级，或与订单同区）")
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="购买服务金额，单位：分（整数），须在需求的预算范围内")


class ReasonBody(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "本季度人手不足，无法承接"}]})
    reason: str = Field(min_length=2, max_length=1000, description="原因（必填）")


class DeliveryRecordCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "delivered_on": "2026-12-05",
                    "activity": "第一次智能手机课堂：挂号与出行软件",
                    "beneficiaries_served": 32,
                    "notes": "志愿者 6 名",
                }
            ]
        },
    )
    delivered_on: date = Field(description="服务日期")
    activity: str = Field(min_length=2, max_length=500, description="服务内容")
    beneficiaries_served: int = Field(ge=0, le=1_000_000, description="服务人数")
    notes: str = Field(default="", max_length=1000, description="备注")


class EvaluationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ratings": {"quality": 5, "timeliness": 4, "communication": 5, "effect": 4},
                    "comment": "老人们反响很好，希望继续开展",
                }
            ]
        },
    )
    ratings: dict[str, int] = Field(
        description="各方面评分 1–5：quality 服务质量、timeliness 及时性、communication 沟通配合、effect 实际成效"
        "（四项均须填写）"
    )
    comment: str = Field(default="", max_length=1000, description="评价意见")


class EvaluationResponseCreate(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"response": "感谢社区的支持与配合"}]})
    response: str = Field(min_length=2, max_length=1000, description="机构回应（仅一次）")


class BidCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"offer_id": 12, "message": "我们在本街道已开展同类服务两年"}]}
    )
    offer_id: Id = Field(description="以哪个已入库的服务项目申请承接")
    message: str = Field(default="", max_length=1000, description="申请说明")


class DeliveryRecordRead(BaseModel):
    id: int
    order_id: int
    delivered_on: date
    activity: str
    beneficiaries_served: int
    notes: str
    created_at: datetime


class DeliveryFileRead(BaseModel):
    id: int
    record_id: int
    order_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class EvaluationRead(BaseModel):
    ratings: dict[str, int]
    overall: int
    comment: str
    response: str
    responded_at: datetime | None
    created_at: datetime


class OrderRead(BaseModel):
    id: int
    demand_id: int
    demand_title: str
    offer_id: int
    offer_title: str
    organisation_id: int
    session_id: int | None
    offer_version: int
    score: int | None
    status: str
    status_zh: str
    decision_reason: str
    # Government purchase of services (政府购买服务): the obligation, its budget line, payee and tranche (all None
    # while the order is in-kind).
    amount_fen: int | None
    budget_line_id: int | None = None
    payee_id: int | None = None
    tranche_id: int | None = None
    tranche_status: str | None = None
    accepted_at: datetime | None
    delivered_at: datetime | None
    evaluated_at: datetime | None
    created_at: datetime
    beneficiaries_served: int
    evaluation: EvaluationRead | None


class BidRead(BaseModel):
    id: int
    demand_id: int
    offer_id: int
    organisation_id: int
    message: str
    status: str
    status_zh: str
    order_id: int | None
    created_at: datetime
