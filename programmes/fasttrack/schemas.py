"""Request and response models of the fast-track room."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.types import Id, RequestModel

FieldPath = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
]


class FieldPair(RequestModel):
    """One contest form field → one support-plan form field (dotted paths, e.g. ``team.leader``)."""

    contest_field: FieldPath
    support_field: FieldPath


class InvitationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "origin_application_id": 12,
                    "round_id": 30,
                    "mapping": [{"contest_field": "summary", "support_field": "summary"}],
                    "message": "欢迎直通沪社星耀",
                }
            ]
        },
    )
    origin_application_id: Id
    round_id: Id
    mapping: list[FieldPair] = Field(min_length=1, max_length=200)
    message: str = Field(default="", max_length=1000)


class InvitationReason(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "本年度项目已饱和"}]})
    reason: str = Field(min_length=2, max_length=1000)


class InvitationRead(BaseModel):
    id: int
    origin_application_id: int
    origin_title: str
    origin_round_id: int
    round_id: int
    organisation_id: int
    application_id: int
    mapping: list[dict[str, str]]
    status: str
    status_zh: str
    message: str
    reason: str
    created_at: datetime
    answered_at: datetime | None


class OriginRead(BaseModel):
    """Where a fast-tracked support-plan application came from (staff and its organisation; reviewers unless the
    round is blind)."""

    application_id: int
    origin_application_id: int
    origin_title: str
    origin_round_id: int
    origin_programme: str
    award_amount_fen: int | None
