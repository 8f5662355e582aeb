from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel


class BankAccountCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "account_name": "上海市长宁区某某社会服务中心",
                    "bank_name": "上海银行长宁支行",
                    "account_number": "6222 0000 1234 5678",
                }
            ]
        },
    )
    account_name: str = Field(min_length=1, max_length=200, description="户名，须与登记名称一致")
    bank_name: str = Field(min_length=2, max_length=200, description="开户行")
    account_number: str = Field(min_length=1, max_length=64, description="账号：8–32 位数字，空格会被去掉")


class BankAccountDecision(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000, description="原因（机构可见）")


class BankAccountRead(BaseModel):
    id: int
    organisation_id: int
    account_name: str
    bank_name: str
    account_number: str
    status: str
    status_zh: str
    decision_reason: str
    verified_at: datetime | None
    created_at: datetime
