"""The boundary of communities, tags and demands: request bodies (``RequestModel``) and the ``…Read`` models the
services return. Cross-field rules (period, budget, tags, paired area) live in ``demands.check_demand`` so the API
and the xlsx import refuse the same things with the same codes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.auth.contact import Email, Mobile
from app.reference import District
from app.types import ExactInt, RequestModel
from programmes.matching.tables import CommunityLevel, DemandField

PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"
MAX_FEN = 10**12  # 100 亿元: far above any community budget, well inside bigint
MAX_TAGS = 10


class CommunityCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "江苏路街道办事处", "level": "street", "district": "changning", "street": "江苏路街道"}
            ]
        },
    )
    name: str = Field(min_length=2, max_length=100, description="社区名称")
    level: CommunityLevel = Field(description="street 街道/镇；neighbourhood 居委/村委")
    district: District
    street: str = Field(min_length=2, max_length=100, description="所属街镇")


class CommunityRead(BaseModel):
    id: int
    name: str
    level: str
    district: str
    street: str
    members: int
    created_at: datetime


class CommunityAccountCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "jsl-street",
                    "password": "a-long-secret",
                    "display_name": "王主任",
                    "mobile": "13800138000",
                }
            ]
        },
    )
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=100)
    mobile: Mobile
    email: Email | None = None


class CommunityAccountRead(BaseModel):
    user_id: int
    username: str
    display_name: str
    mobile: str | None
    community_id: int


class InvitationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "wang@jsl.example.cn", "display_name": "王主任"}]}
    )
    email: Email | None = None
    mobile: Mobile | None = None
    display_name: str = Field(default="", max_length=100)


class InvitationRead(BaseModel):
    id: int
    community_id: int
    email: str
    mobile: str
    expires_at: datetime
    # How the code reaches the invitee: ``email`` (sent by the notification e-mail job; the officer never sees it)
    # when an e-mail was given and mail is configured, else ``officer`` (the officer passes it on).
    delivery: str = "officer"
    # The code itself, shown once to the inviting officer only when it is not e-mailed; only its hash is kept.
    code: str | None = None


class InvitationAccept(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "…", "username": "jsl-wang", "password": "a-long-secret"}]},
    )
    code: str = Field(min_length=10, max_length=200)
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=8, max_length=128)


class TagCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "elderly", "label_zh": "为老服务"}]}
    )
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str = Field(min_length=1, max_length=40)


class TagUpdate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"label_zh": "养老服务", "active": True}]}
    )
    label_zh: str | None = Field(default=None, min_length=1, max_length=40)
    active: bool | None = None


class TagRead(BaseModel):
    id: int
    code: str
    label_zh: str
    active: bool


class DemandWrite(RequestModel):
    """A demand as a community writes it (create and full edit)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "field": "governance",
                    "tags": ["elderly"],
                    "title": "老年人智能手机培训",
                    "description": "每周一次，教老年人使用智能手机就医、出行。",
                    "beneficiary_group": "社区老年人",
                    "expected_beneficiaries": 40,
                    "period_start": "2027-01-01",
                    "period_end": "2027-03-31",
                    "budget_min_fen": 500_000,
                    "budget_max_fen": 1_000_000,
                    "providers_wanted": 1,
                    "cross_district": False,
                    "contact_name": "王老师",
                    "contact_phone": "021-62512345",
                }
            ]
        },
    )
    field: DemandField
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=5000)
    paired_area: str = Field(default="", max_length=100, description="城乡帮扶必填：对口地区，如对口援助县")
    beneficiary_group: str = Field(default="", max_length=100)
    expected_beneficiaries: ExactInt | None = Field(default=None, ge=0, le=10_000_000)
    period_start: date
    period_end: date
    budget_min_fen: ExactInt | None = Field(
        default=None, ge=0, le=MAX_FEN, description="预算下限（分）；均为空：无资金"
    )
    budget_max_fen: ExactInt | None = Field(default=None, ge=0, le=MAX_FEN, description="预算上限（分）")
    providers_wanted: ExactInt = Field(default=1, ge=1, le=50)
    cross_district: bool = False
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=20, pattern=r"^$|" + PHONE_PATTERN)


class Reason(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "需求描述不清，请补充服务内容"}]}
    )
    reason: str = Field(min_length=2, max_length=1000)


class OptionalReason(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


class DemandPublicRead(BaseModel):
    """What anyone sees on the public list: nothing that identifies a person."""

    id: int
    community_id: int
    community_name: str
    field: str
    field_zh: str
    tags: list[str]
    title: str
    description: str
    district: str
    street: str
    paired_area: str
    beneficiary_group: str
    expected_beneficiaries: int | None
    period_start: date
    period_end: date
    budget_min_fen: int | None
    budget_max_fen: int | None
    in_kind: bool
    providers_wanted: int
    cross_district: bool
    status: str
    status_zh: str
    published_at: datetime | None


class DemandRead(DemandPublicRead):
    """The whole demand: for its community, staff in scope and signed-in organisations (contact included)."""

    contact_name: str
    contact_phone: str
    rejected_reason: str
    import_batch: str
    source_case_id: int | None
    submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ImportProblem(BaseModel):
    row: int = Field(description="xlsx 行号（表头为第 1 行）")
    column: str = Field(description="列名，如 结束日期")
    code: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    batch: str
    rows: int
    valid_rows: int
    created: int
    demand_ids: list[int]
    errors: list[ImportProblem]
