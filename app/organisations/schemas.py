from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.auth.contact import Email, Mobile
from app.organisations.credit_code import example
from app.organisations.facts import FactName
from app.organisations.tables import EvaluationGrade, FactSource, OrganisationType
from app.reference import District
from app.types import Id, RequestModel

# Computed, so the documentation's example passes the check it documents (the old 52310000MJ0000000X did not).
EXAMPLE_CREDIT_CODE = example("social_service_institution")


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
                    "credit_code": EXAMPLE_CREDIT_CODE,
                    "district": "changning",
                    "street": "新华路街道",
                    "registered_on": "2018-06-01",
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
    credit_code: str | None = Field(default=None, max_length=40, examples=[EXAMPLE_CREDIT_CODE])
    district: District
    street: str = Field(default="", max_length=100)
    custodian_id: Id | None = Field(
        default=None, description="备案类团队的财务代管服务中心：从 GET /service-centres 中选择；团队的街镇随之确定"
    )
    # Self-declared (自报): kept as declared_*; screening uses them only once an officer or the registry verified them.
    evaluation_grade: EvaluationGrade = EvaluationGrade.none
    grade_valid_until: dt.date | None = None
    registered_on: dt.date | None = Field(default=None, description="成立登记（备案）日期，自报，待核验")
    certificate_expires_on: dt.date | None = None


class FactVerificationRead(BaseModel):
    fact: FactName
    value: str | None
    source: FactSource
    verified_by: int | None
    verified_at: dt.datetime
    reference: str


class OrganisationRead(BaseModel):
    """``evaluation_grade``, ``grade_valid_until``, ``registered_on`` and ``certificate_expires_on`` are the verified
    values screening uses (``null``: 待核验); ``declared_*`` what the organisation stated itself."""

    id: int
    name: str
    org_type: OrganisationType
    credit_code: str | None
    district: District
    street: str
    custodian_id: int | None
    serves_street: str | None = Field(default=None, description="街镇社会组织服务中心：所服务的街镇")
    evaluation_grade: EvaluationGrade | None
    grade_valid_until: dt.date | None
    registered_on: dt.date | None = None
    certificate_expires_on: dt.date | None
    abnormal_listed_on: dt.date | None
    serious_violation_listed_on: dt.date | None
    declared_evaluation_grade: EvaluationGrade | None = None
    declared_grade_valid_until: dt.date | None = None
    declared_registered_on: dt.date | None = None
    declared_certificate_expires_on: dt.date | None = None
    verifications: list[FactVerificationRead] = []


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
    credit_code: str | None = Field(default=None, max_length=40, examples=[EXAMPLE_CREDIT_CODE])
    street: str | None = Field(default=None, max_length=100)
    evaluation_grade: EvaluationGrade | None = None
    grade_valid_until: dt.date | None = None
    registered_on: dt.date | None = None
    certificate_expires_on: dt.date | None = None
    abnormal_listed_on: dt.date | None = None
    serious_violation_listed_on: dt.date | None = None
    verify_declared: tuple[FactName, ...] = Field(
        default=(),
        max_length=4,
        description="核验：把这些事实的自报值确认为核验值（已核对登记证书或登记管理机关的记录）；"
        "同时在本请求中给出的值优先",
    )
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


class RegistryProblemRead(BaseModel):
    row: int
    code: str  # bad_value, unknown_code, name_mismatch, type_mismatch, duplicate_row
    message: str
    credit_code: str


class RegistryImportRead(BaseModel):
    """登记名录导入结果: rows read, organisations whose verified facts changed, and each row not imported."""

    rows: int
    updated: int
    updated_organisation_ids: list[int]
    unchanged: int
    problems: list[RegistryProblemRead]


class OrganisationClaimCreate(RequestModel):
    """认领: the real holder of an already registered credit code asks to take the organisation over."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "sunshine-real",
                    "password": "a-long-secret",
                    "email": "office@sunshine.example.org",
                    "mobile": "13800138009",
                    "credit_code": EXAMPLE_CREDIT_CODE,
                    "name": "上海阳光社区服务中心",
                    "evidence": "登记证书编号 沪民证字第0001号；法定代表人 张三；联系电话 021-00000000",
                }
            ]
        },
    )
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=8, max_length=128)
    email: Email
    mobile: Mobile
    credit_code: str = Field(min_length=1, max_length=40, examples=[EXAMPLE_CREDIT_CODE])
    name: str = Field(min_length=2, max_length=200, description="登记证书上的名称")
    evidence: str = Field(
        min_length=10, max_length=2000, description="证明材料：登记证书编号、法定代表人、可供核实的联系方式等"
    )


class ClaimDecision(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "已与登记管理机关核实"}]})
    reason: str = Field(min_length=2, max_length=1000, description="核准或驳回的依据，记入审计日志")


class ClaimRead(BaseModel):
    id: int
    organisation_id: int
    claimant_id: int
    claimant_name: str
    evidence: str
    status: str
    status_zh: str
    decided_by: int | None
    decided_at: dt.datetime | None
    decision_reason: str
    created_at: dt.datetime


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
