from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.types import Id, RequestModel


class BatchCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "2026 年第一批拨付", "tranche_ids": [1, 2]}]}
    )
    title: str = Field(min_length=2, max_length=200)
    tranche_ids: list[Id] = Field(min_length=1, max_length=1000)


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
    total_fen: int
    items: list[BatchItemRead]
