"""Request and response models of the fast-track room."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.types import Id, RequestModel

FieldPath = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
]


class FieldPair(RequestModel):
    """One contest form field → one support-plan form field (dotted paths, e.g. ``team.leader``)."""

    source: FieldPath
    target: FieldPath


class InvitationCreate(RequestModel):
    origin_application_id: Id
    round_id: Id
    mapping: list[FieldPair] = Field(min_length=1, max_length=200)
    message: str = Field(default="", max_length=1000)


class InvitationReason(RequestModel):
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
