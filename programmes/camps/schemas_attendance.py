"""The boundary of check-in, attendance, certificates and feedback: request bodies and the ``…Read`` models the
services return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.types import Id, RequestModel

# Surrounding spaces are dropped before the lengths are checked (a pasted code, a reason of blanks).
Stripped = StringConstraints(strip_whitespace=True)


class CheckinCodeRead(BaseModel):
    """Shown once to the trainer: only the hash is stored, so a lost code is replaced by issuing a new one."""

    session_id: int
    code: str
    valid_from: datetime
    valid_until: datetime
    qr_png_url: str


class CheckinRequest(RequestModel):
    code: Annotated[str, Stripped] = Field(
        min_length=1, max_length=12, description="签到码（6 位数字）", examples=["042917"]
    )
    registration_id: Id | None = Field(
        default=None, description="报名编号；本单位在该营只有一个报名时可省略", examples=[12]
    )


class AttendanceRead(BaseModel):
    session_id: int
    registration_id: int
    organisation_id: int
    organisation_name: str
    present: bool
    checked_in_at: datetime | None
    corrected: bool
    reason: str


class AttendanceCorrection(RequestModel):
    present: bool = Field(description="是否出勤", examples=[True])
    reason: Annotated[str, Stripped] = Field(
        min_length=2,
        max_length=500,
        description="更正理由（必填，记入审计）",
        examples=["现场签到设备故障，经核实已到场"],
    )


class CertificateIssueResult(BaseModel):
    camp_id: int
    issued: int  # new certificates in this call
    total: int  # certificates of the camp after it
    not_completed: int  # registrations that do not meet the completion rule


class CertificateRead(BaseModel):
    id: int
    registration_id: int
    organisation_name: str
    participants: list[str]
    verification_code: str
    issued_at: datetime
    pdf_url: str


class CertificateCheck(BaseModel):
    """What anyone may learn from a verification code: what the certificate itself shows, nothing more."""

    valid: bool
    verification_code: str
    organisation_name: str
    participants: list[str]
    camp_title: str
    camp_kind: str
    first_day: date
    last_day: date
    issued_at: datetime


class FeedbackCreate(RequestModel):
    rating: int = Field(ge=1, le=5, description="评分 1–5", examples=[5])
    comment: Annotated[str, Stripped] = Field(
        default="", max_length=1000, description="意见建议", examples=["案例讲解很实用"]
    )
    registration_id: Id | None = Field(default=None, description="报名编号；只有一个报名时可省略")


class FeedbackRead(BaseModel):
    id: int
    session_id: int
    registration_id: int
    rating: int
    comment: str
    created_at: datetime


class RatingSummary(BaseModel):
    count: int
    average: float | None  # None when nobody rated
    distribution: dict[int, int]  # rating → how many


class SessionFeedbackSummary(RatingSummary):
    session_id: int
    title: str
    trainer: str
    session_date: date


class TrainerFeedbackSummary(RatingSummary):
    trainer: str
    sessions: int


class CampFeedbackSummary(BaseModel):
    camp_id: int
    overall: RatingSummary
    sessions: list[SessionFeedbackSummary]
    trainers: list[TrainerFeedbackSummary]
