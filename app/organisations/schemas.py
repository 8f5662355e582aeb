from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.organisations.tables import EvaluationGrade, OrganisationType
from app.reference import District
from app.types import Id, RequestModel


class OrganisationRegistration(RequestModel):
    """Self-registration: creates the organisation and its first applicant account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "sunshine",
                    "password": "a-long-secret",
                    "name": "上海阳光社区服务中心",
                    "org_type": "social_service_institution",
                    "credit_code": "52310000MJ0000000X",
                    "district": "changning",
                    "street": "新华路街道",
                }
            ]
        },
    )
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=8, max_length=200)
    name: str = Field(min_length=2, max_length=200)
    org_type: OrganisationType
    credit_code: str | None = Field(default=None, max_length=40)
    district: District
    street: str = Field(default="", max_length=100)
    custodian_id: Id | None = Field(default=None, description="备案类团队的财务代管服务中心")
    evaluation_grade: EvaluationGrade = EvaluationGrade.none
    grade_valid_until: dt.date | None = None
    certificate_expires_on: dt.date | None = None


class OrganisationRead(BaseModel):
    id: int
    name: str
    org_type: OrganisationType
    credit_code: str | None
    district: District
    street: str
    custodian_id: int | None
    evaluation_grade: EvaluationGrade
    grade_valid_until: dt.date | None
    certificate_expires_on: dt.date | None
    abnormal_listed_on: dt.date | None
    serious_violation_listed_on: dt.date | None
