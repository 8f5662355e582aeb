from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.auth.contact import Email, Mobile
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
                    "email": "contact@sunshine.example.org",
                    "mobile": "13800138000",
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
    password: str = Field(min_length=8, max_length=128)
    # The first member's own address and phone: notifications and password resets must reach a real person.
    email: Email
    mobile: Mobile
    name: str = Field(min_length=2, max_length=200)
    org_type: OrganisationType
    credit_code: str | None = Field(default=None, max_length=40)
    district: District
    street: str = Field(default="", max_length=100)
    custodian_id: Id | None = Field(
        default=None, description="备案类团队的财务代管服务中心：从 GET /service-centres 中选择；团队的街镇随之确定"
    )
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
    serves_street: str | None = Field(default=None, description="街镇社会组织服务中心：所服务的街镇")
    evaluation_grade: EvaluationGrade
    grade_valid_until: dt.date | None
    certificate_expires_on: dt.date | None
    abnormal_listed_on: dt.date | None
    serious_violation_listed_on: dt.date | None


class OrganisationCorrection(RequestModel):
    """更正登记信息: an officer corrects the registry facts from an official source (the reason says which).

    Only the fields sent change; a date sent as ``null`` is cleared (e.g. removed from the abnormal list). Type,
    district and custodian are not facts to correct here: they decide who may act for the organisation and where.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"evaluation_grade": "4A", "grade_valid_until": "2030-12-31", "reason": "市民政局 2026 年评估结果公告"}
            ]
        },
    )
    name: str | None = Field(default=None, min_length=2, max_length=200)
    credit_code: str | None = Field(default=None, max_length=40)
    street: str | None = Field(default=None, max_length=100)
    evaluation_grade: EvaluationGrade | None = None
    grade_valid_until: dt.date | None = None
    registered_on: dt.date | None = None
    certificate_expires_on: dt.date | None = None
    abnormal_listed_on: dt.date | None = None
    serious_violation_listed_on: dt.date | None = None
    reason: str = Field(min_length=2, max_length=1000, description="更正依据（如登记管理机关的公告），记入审计日志")


class MemberAdd(RequestModel):
    """添加机构成员: an applicant account that may then act for the organisation (sign agreements, bank accounts)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"username": "sunshine-2"}]})
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    reason: str = Field(default="", max_length=1000, description="记入审计日志")


class MemberRead(BaseModel):
    user_id: int
    username: str
    display_name: str


class ServiceCentreDesignation(RequestModel):
    """设为街镇社会组织服务中心: the street a social service institution serves as custodian of filed groups."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"street": "新华路街道", "reason": "区民政局 2026 年服务中心名单"}]},
    )
    street: str | None = Field(
        min_length=2, max_length=100, description="所服务的街镇；null 表示撤销（须无代管中的团队）"
    )
    reason: str = Field(min_length=2, max_length=1000, description="依据，记入审计日志")


class ServiceCentreRead(BaseModel):
    id: int
    name: str
    district: District
    street: str
