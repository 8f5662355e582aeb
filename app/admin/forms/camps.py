"""Piccolo Admin forms for camps (训练营): create a camp, add a session, open/close/cancel it, cancel a
registration — each through the API's service and rules (district scope included)."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.admin.picks import GRADE_LABELS, labelled, picked
from app.auth.principal import Principal
from app.organisations.tables import EvaluationGrade
from app.reference import District
from app.types import FormId, RequestModel
from programmes.camps.kinds import CAMP_AUDIENCE_LABELS_ZH, CAMP_KIND_LABELS_ZH, CampAudience, CampKind


class CampCreateForm(RequestModel):
    title: str = Field(min_length=2, max_length=200, title="训练营名称")
    kind: CampKind = labelled(CAMP_KIND_LABELS_ZH, title="类型")
    audience: CampAudience = labelled(CAMP_AUDIENCE_LABELS_ZH, title="报名对象")
    edition_id: FormId | None = picked("edition", optional=True, title="所属届次", description="面向入选项目时必填")
    audience_min_grade: EvaluationGrade | None = labelled(
        GRADE_LABELS, default=None, title="最低等级（仅指定类型及等级）"
    )
    capacity: int = Field(ge=1, le=10_000, title="名额（单位数）")
    max_participants_per_registration: int = Field(default=3, ge=1, le=50, title="每单位参训人数上限")
    completion_min_percent: int = Field(default=80, ge=1, le=100, title="结业出勤比例（%）")
    district: District | None = Field(
        default=None, title="主办区", description="区级官员只能选本区；不选为本人所在区/市级"
    )
    description: str = Field(default="", max_length=1000, title="简介")


class CampSessionForm(RequestModel):
    camp_id: FormId = picked("camp", title="训练营")
    title: str = Field(min_length=2, max_length=200, title="场次主题")
    session_date: date = Field(title="日期")
    start_time: time = Field(title="开始时间（北京时间）")
    end_time: time = Field(title="结束时间（北京时间）")
    place: str = Field(default="", max_length=200, title="地点")
    online_link: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$", title="线上链接")
    trainer: str = Field(min_length=1, max_length=100, title="讲师")


class CampStepForm(RequestModel):
    camp_id: FormId = picked("camp", title="训练营")
    action: Literal["开放报名", "截止报名", "取消训练营"] = Field(title="操作")
    reason: str = Field(default="", max_length=500, title="原因", description="取消训练营时必填")


class RegistrationCancelForm(RequestModel):
    registration_id: FormId = Field(title="报名编号")
    reason: str = Field(
        default="", max_length=500, title="原因", description="取消正式报名后，候补第一位自动转正并收到通知"
    )


STEPS = {"开放报名": "open", "截止报名": "close", "取消训练营": "cancel"}


async def _create(request: Request, data: CampCreateForm) -> str:
    from programmes.camps import camps
    from programmes.camps.schemas import CampCreate

    async def work(principal: Principal) -> str:
        done = await camps.create(principal, validated(CampCreate, data.model_dump()))
        return f"训练营「{done.title}」已创建（编号 {done.id}，筹备中）"

    return await as_officer(request, work)


async def _add_session(request: Request, data: CampSessionForm) -> str:
    from programmes.camps import camps
    from programmes.camps.schemas import SessionCreate

    async def work(principal: Principal) -> str:
        values = data.model_dump(exclude={"camp_id"})
        done = await camps.add_session(principal, data.camp_id, validated(SessionCreate, values))
        return f"场次「{done.title}」已添加（{done.session_date} {done.start_time:%H:%M}–{done.end_time:%H:%M}）"

    return await as_officer(request, work)


async def _step(request: Request, data: CampStepForm) -> str:
    from programmes.camps import camps

    async def work(principal: Principal) -> str:
        done = await camps.step(principal, data.camp_id, STEPS[data.action], data.reason)
        return f"训练营「{done.title}」：{done.status_zh}"

    return await as_officer(request, work)


async def _cancel_registration(request: Request, data: RegistrationCancelForm) -> str:
    from programmes.camps import registrations

    async def work(principal: Principal) -> str:
        done = await registrations.cancel(principal, data.registration_id, data.reason)
        return f"{done.organisation_name} 的报名已取消"

    return await as_officer(request, work)


CAMP_FORMS = [
    FormConfig("创建训练营", CampCreateForm, _create, description="与 POST /camps 同一规则并留痕", form_group="训练营"),
    FormConfig(
        "添加训练营场次",
        CampSessionForm,
        _add_session,
        description="与 POST /camps/{id}/sessions 同一规则",
        form_group="训练营",
    ),
    FormConfig(
        "训练营流程操作",
        CampStepForm,
        _step,
        description="按训练营流程推进；区级官员仅限本区",
        form_group="训练营",
    ),
    FormConfig(
        "取消训练营报名",
        RegistrationCancelForm,
        _cancel_registration,
        description="与 POST /camps/registrations/{id}/cancel 同一规则：候补按顺序转正",
        form_group="训练营",
    ),
]
