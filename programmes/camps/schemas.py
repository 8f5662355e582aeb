"""The camps' boundary: request bodies (``RequestModel``) and the ``…Read`` models the services return. Cross-field
rules (a session's times and venue, distinct participants) are the services' (``check_session``,
``check_participants``), so each refusal names its field."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from app.auth.contact import Mobile
from app.organisations.tables import EvaluationGrade, OrganisationType
from app.reference import District
from app.types import Id, RequestModel
from programmes.camps.kinds import CampAudience, CampKind

MAX_CAPACITY = 10_000
MAX_PARTICIPANTS = 50


class CampCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "brand",
                    "title": "2026 品牌塑造营（第一期）",
                    "audience": "any_registered",
                    "capacity": 30,
                    "completion_min_percent": 80,
                    "district": "changning",
                }
            ]
        },
    )
    edition_id: Id | None = Field(default=None, description="所属届次；不填则为独立训练营")
    kind: CampKind = Field(
        description="brand 品牌塑造营；all_round 项目全能营；venture 公益创业训练营；companion 陪伴式赋能"
    )
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=1000)
    audience: CampAudience = Field(description="报名对象规则，报名时校验")
    audience_org_types: list[OrganisationType] = Field(default_factory=list, max_length=4)
    audience_min_grade: EvaluationGrade | None = Field(default=None, description="type_grade：最低等级评估等级")
    capacity: int = Field(ge=1, le=MAX_CAPACITY, description="名额（按报名单位计）")
    max_participants_per_registration: int = Field(default=3, ge=1, le=MAX_PARTICIPANTS)
    completion_min_percent: int = Field(default=80, ge=1, le=100, description="结业条件：出勤场次占比（%）")
    district: District | None = Field(default=None, description="主办区；区级工作人员只能填本区，不填为本人所在区/市级")


class CampRead(BaseModel):
    id: int
    edition_id: int | None
    kind: str
    kind_zh: str
    title: str
    description: str
    audience: str
    audience_zh: str
    audience_org_types: list[str]
    audience_min_grade: str | None
    capacity: int
    seats_taken: int
    waitlisted: int
    max_participants_per_registration: int
    completion_min_percent: int
    status: str
    status_zh: str
    scope_district: str | None
    created_at: datetime


class SessionCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "品牌定位与传播",
                    "session_date": "2026-12-10",
                    "start_time": "09:00",
                    "end_time": "12:00",
                    "place": "长宁区社会组织服务中心 301 室",
                    "trainer": "李老师",
                }
            ]
        },
    )
    title: str = Field(min_length=2, max_length=200)
    session_date: date
    start_time: time = Field(description="北京时间")
    end_time: time = Field(description="北京时间，晚于开始时间")
    place: str = Field(default="", max_length=200)
    online_link: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$")
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    trainer: str = Field(min_length=1, max_length=100)


class SessionRead(BaseModel):
    id: int
    camp_id: int
    title: str
    session_date: date
    start_time: time
    end_time: time
    place: str
    online_link: str
    capacity: int | None
    trainer: str
    created_at: datetime


class MaterialRead(BaseModel):
    id: int
    camp_id: int
    session_id: int | None
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class CampParticipant(RequestModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50)
    position: str = Field(default="", max_length=50, description="职务/岗位")
    mobile: Mobile


class RegistrationCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 12,
                    "participants": [{"name": "张三", "position": "项目主管", "mobile": "13800138000"}],
                }
            ]
        },
    )
    organisation_id: Id = Field(description="报名单位（须为本人所在单位）")
    participants: list[CampParticipant] = Field(min_length=1, max_length=MAX_PARTICIPANTS, description="参训人员")


class CancelBody(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "时间冲突"}]})
    reason: str = Field(default="", max_length=500)


class CampReason(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "报名人数不足"}]})
    reason: str = Field(min_length=1, max_length=500)


class RegistrationRead(BaseModel):
    id: int
    camp_id: int
    camp_title: str
    organisation_id: int
    organisation_name: str
    participants: list[dict[str, str]]
    status: str
    status_zh: str
    # 1 = next to be promoted; None unless waitlisted.
    waitlist_position: int | None
    promoted_at: datetime | None
    cancelled_at: datetime | None
    reason: str
    created_at: datetime


class EligibilityRead(BaseModel):
    """Whether an organisation may register, and why not (the camp's audience rule in words)."""

    eligible: bool
    code: str
    reason: str
