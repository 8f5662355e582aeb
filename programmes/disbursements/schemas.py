from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.types import Id, RequestModel


class BatchCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "2026 年第一批拨付", "tranche_ids": [1, 2]}]}
    )
    title: str = Field(min_length=2, max_length=200)
    tranche_ids: list[Id] = Field(min_length=1, max_length=1000)


class BatchDiscard(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "收款账户待更新"}]})
    reason: str = Field(min_length=2, max_length=1000, description="作废理由，记入审计日志")


class BatchTrancheRemoval(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "资助拟调减，暂不拨付"}]})
    reason: str = Field(min_length=2, max_length=1000, description="移出理由，记入审计日志")


class BatchItemRead(BaseModel):
    tranche_id: int
    amount_fen: int
    status: str
    provider_reference: str
    tranche_status: str


class BatchRead(BaseModel):
    id: int
    title: str
    status: str
    created_by: int | None = Field(description="建立批次的官员（审批人须为另一名官员）")
    approved_by: int | None
    total_fen: int = Field(description="未移出批次的款项合计（分）")
    items: list[BatchItemRead]
