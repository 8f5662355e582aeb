from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import ExactInt, Id, RequestModel
from programmes.tables import ExpenseCategory


class ExpenseLine(RequestModel):
    model_config = ConfigDict(extra="forbid")
    category: ExpenseCategory = Field(description="支出类别，须在协议的项目预算之内（预算非空时）")
    description: str = Field(min_length=1, max_length=500, description="支出说明")
    amount_fen: ExactInt = Field(gt=0, le=10**12, description="金额，单位：分（整数）")
    spent_on: date = Field(description="支出日期")


class ReportDraft(RequestModel):
    """The whole draft: answers, attachments and expense lines replace what was saved before."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": {
                        "summary": "已完成社区助餐点建设并开展 12 次活动",
                        "beneficiaries": 150,
                        "outcomes": "独居老人助餐覆盖率提升",
                        "problems": "志愿者流动较大",
                        "next_steps": "扩展至两个新小区",
                    },
                    "attachment_ids": [],
                    "expenses": [
                        {
                            "category": "activities",
                            "description": "助餐活动食材",
                            "amount_fen": 120000,
                            "spent_on": "2026-03-01",
                        }
                    ],
                }
            ]
        },
    )
    answers: dict[str, Any] = Field(default_factory=dict, description="按报告表单填写的内容")
    attachment_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="附件编号（须为该资助项目申报的附件）"
    )
    expenses: list[ExpenseLine] = Field(default_factory=list, max_length=500, description="支出明细")


class ReportReturn(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "请补充支出凭证"}]})
    reason: str = Field(min_length=2, max_length=1000, description="退回原因，申报单位可见")


class ExpenseRead(BaseModel):
    id: int
    category: ExpenseCategory
    description: str
    amount_fen: int
    spent_on: date


class LinkedTrancheRead(BaseModel):
    id: int
    sequence: int
    amount_fen: int
    status: str


class ReportSummary(BaseModel):
    id: int
    award_id: int
    application_id: int
    title: str
    kind: str
    sequence: int
    due_on: date
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None


class ReportRead(ReportSummary):
    agreement_id: int | None
    agreement_status: str | None
    form_schema: dict[str, Any]
    answers: dict[str, Any]
    attachment_ids: list[int]
    expenses: list[ExpenseRead]
    return_reason: str
    tranches: list[LinkedTrancheRead] = Field(description="验收通过后拨付的款项及其状态")


class ReportFormWrite(RequestModel):
    model_config = ConfigDict(extra="forbid")
    json_schema: dict[str, Any] = Field(description="报告表单（JSON Schema 2020-12）；传 {} 恢复默认表单")


class ReportFormRead(BaseModel):
    edition_id: int
    report_schema: dict[str, Any] = Field(description="生效的报告表单（未设置时为默认表单）")
    is_default: bool
