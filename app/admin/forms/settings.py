"""Piccolo Admin forms for settings and registry changes; each builds the API's schema and calls its service.

A form's fields are flat text (Piccolo Admin renders no nested objects), so a blank field means "leave as it is";
what is filled in is parsed into the same pydantic schema the API takes, so both paths validate alike.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import BaseModel, Field
from starlette.requests import Request

from app.admin.config_fields import AGGREGATION_CHOICES, KIND_CHOICES
from app.admin.forms.common import as_officer, validated
from app.admin.picks import CITY_OR_DISTRICT, GRADE_LABELS, KEEP_LABEL, labelled, picked
from app.auth.principal import Principal
from app.auth.tables import ROLE_LABELS_ZH, Role
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import SHANGHAI
from app.types import FormId, RequestModel

Keep = Literal["不变", "是", "否"]
_BOOL = {"是": True, "否": False}
_CLEAR = "-"  # typed into a date field: remove the date


def _json(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{name}：JSON 格式不正确") from exc


def _moment(name: str, text: str) -> datetime:
    """ "2026-03-01 09:00" is Shanghai time; an explicit offset is kept."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{name}：时间格式应为 2026-03-01 09:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _day(name: str, text: str) -> date | None:
    if text.strip() == _CLEAR:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{name}：日期格式应为 2026-03-01，填 - 表示清除") from exc


def _filled(form: BaseModel, *names: str) -> dict[str, Any]:
    return {n: v for n in names if (v := getattr(form, n)) not in ("", None, "不变")}


class RoundSettingsForm(RequestModel):
    round_id: FormId = picked("round", title="轮次")
    name: str = Field(default="", max_length=100, title="名称", description="留空表示不变（下同）")
    opens_at: str = Field(default="", max_length=40, title="开放时间", description="例如 2026-03-01 09:00（北京时间）")
    closes_at: str = Field(default="", max_length=40, title="截止时间", description="例如 2026-04-01 17:00（北京时间）")
    blind: Keep = Field(default="不变", title="匿名评审", description="评审开始后不能修改")
    aggregation_method: str = labelled(
        {**KEEP_LABEL, **{code: label for label, code in AGGREGATION_CHOICES.items()}},
        default="",
        title="汇总方法",
        text=True,
    )
    reviews_per_application: str = Field(default="", max_length=3, title="每个申报的评审人数")
    tie_break: str = Field(
        default="",
        max_length=1000,
        title="并列处理规则",
        description="依次比较，逗号分隔，如 criteria,spread,submitted_at,id 或 criterion:innovation,id；关闭后不能改",
    )
    eligibility_rules: str = Field(
        default="", max_length=5000, title="资格规则（JSON）", description='整体替换，例如 {"min_grade": "3A"}'
    )
    allow_multiple_entries: Keep = Field(default="不变", title="允许同一单位多次申报")
    attachment_types: str = Field(default="", max_length=100, title="附件类型", description="例如 pdf,docx,jpg")
    max_attachment_mb: str = Field(default="", max_length=4, title="单个附件上限（MB）")
    max_application_attachment_mb: str = Field(default="", max_length=5, title="每个申报附件总上限（MB）")
    criteria: str = Field(
        default="",
        max_length=20000,
        title="评分标准（JSON）",
        description='整体替换，例如 [{"code": "innovation", "name": "创新性", "weight": 40, "max_score": 100}]',
    )
    tracks: str = Field(
        default="", max_length=5000, title="赛道（JSON）", description='改名或名额，例如 [{"id": 3, "quota": 10}]'
    )
    reason: str = Field(default="", max_length=1000, title="修改原因")


async def _update_round(request: Request, data: RoundSettingsForm) -> str:
    from programmes.catalogue.settings import update_round_settings
    from programmes.catalogue.settings_schemas import RoundSettingsUpdate

    values: dict[str, Any] = _filled(data, "name", "aggregation_method", "reason")
    for name in ("opens_at", "closes_at"):
        if text := getattr(data, name):
            values[name] = _moment(name, text)
    for name in ("blind", "allow_multiple_entries"):
        if (choice := getattr(data, name)) in _BOOL:
            values[name] = _BOOL[choice]
    for name in ("reviews_per_application", "max_attachment_mb", "max_application_attachment_mb"):
        if text := getattr(data, name).strip():
            values[name] = int(text) if text.isdigit() else text  # the schema says what is wrong with the rest
    for name in ("eligibility_rules", "criteria", "tracks"):
        if text := getattr(data, name).strip():
            values[name] = _json(name, text)
    if data.tie_break.strip():
        values["tie_break"] = [t.strip() for t in data.tie_break.replace("，", ",").split(",") if t.strip()]
    if data.attachment_types.strip():
        values["attachment_types"] = [t.strip() for t in data.attachment_types.replace("，", ",").split(",") if t]
    update = validated(RoundSettingsUpdate, values)

    async def work(principal: Principal) -> str:
        updated = await update_round_settings(principal, data.round_id, update)
        return f"轮次 {updated.id}（{updated.name}）的设置已保存"

    return await as_officer(request, work)


class ProgrammeForm(RequestModel):
    programme_id: FormId = picked("programme", title="项目")
    name: str = Field(default="", max_length=200, title="名称", description="留空表示不变（下同）")
    kind: str = labelled(
        {**KEEP_LABEL, **{code: label for label, code in KIND_CHOICES.items()}},
        default="",
        title="项目类型",
        description="已有届次后不能修改",
        text=True,
    )
    description: str = Field(default="", max_length=5000, title="说明")
    conflict_rules: Literal["不变", "无", "same_street", "same_district", "same_street,same_district"] = labelled(
        {
            "不变": "不变",
            "无": "无",
            "same_street": "同街镇回避",
            "same_district": "同区回避",
            "same_street,same_district": "同街镇及同区回避",
        },
        default="不变",
        title="额外回避规则",
    )
    reason: str = Field(default="", max_length=1000, title="修改原因")


async def _update_programme(request: Request, data: ProgrammeForm) -> str:
    from programmes.catalogue.settings import update_programme
    from programmes.catalogue.settings_schemas import ProgrammeUpdate

    values = _filled(data, "name", "kind", "description", "reason")
    if data.conflict_rules != "不变":
        values["conflict_rules"] = [] if data.conflict_rules == "无" else data.conflict_rules.split(",")
    update = validated(ProgrammeUpdate, values)

    async def work(principal: Principal) -> str:
        programme = await update_programme(principal, data.programme_id, update)
        return f"项目 {programme.id}（{programme.name}）已保存"

    return await as_officer(request, work)


class OrganisationForm(RequestModel):
    organisation_id: FormId = Field(title="社会组织编号")
    name: str = Field(default="", max_length=200, title="名称", description="留空表示不变（下同）")
    credit_code: str = Field(default="", max_length=40, title="统一社会信用代码")
    street: str = Field(default="", max_length=100, title="街镇")
    evaluation_grade: str = labelled({**KEEP_LABEL, **GRADE_LABELS}, default="", title="评估等级", text=True)
    grade_valid_until: str = Field(
        default="", max_length=10, title="等级有效期至", description="2030-12-31；- 表示清除"
    )
    registered_on: str = Field(default="", max_length=10, title="成立登记日期")
    certificate_expires_on: str = Field(default="", max_length=10, title="登记证书有效期至")
    abnormal_listed_on: str = Field(default="", max_length=10, title="列入活动异常名录日期", description="- 表示移出")
    serious_violation_listed_on: str = Field(default="", max_length=10, title="列入严重违法失信名单日期")
    reason: str = Field(min_length=2, max_length=1000, title="更正依据", description="例如 登记管理机关的公告")


_DATES = ("grade_valid_until", "registered_on", "certificate_expires_on", "abnormal_listed_on")


async def _correct_organisation(request: Request, data: OrganisationForm) -> str:
    from app.organisations.registry import correct_facts
    from app.organisations.schemas import OrganisationCorrection

    values: dict[str, Any] = _filled(data, "name", "credit_code", "street", "evaluation_grade", "reason")
    for name in (*_DATES, "serious_violation_listed_on"):
        if text := getattr(data, name):
            values[name] = _day(name, text)
    correction = validated(OrganisationCorrection, values)

    async def work(principal: Principal) -> str:
        organisation = await correct_facts(principal, data.organisation_id, correction)
        return f"社会组织 {organisation.id}（{organisation.name}）的登记信息已更正"

    return await as_officer(request, work)


class MemberForm(RequestModel):
    organisation_id: FormId = Field(title="社会组织编号")
    username: str = Field(min_length=3, max_length=50, title="成员用户名")
    reason: str = Field(default="", max_length=1000, title="原因")


async def _add_member(request: Request, data: MemberForm) -> str:
    from app.organisations.registry import add_member
    from app.organisations.schemas import MemberAdd

    member = validated(MemberAdd, {"username": data.username, "reason": data.reason})

    async def work(principal: Principal) -> str:
        members = await add_member(principal, data.organisation_id, member)
        return f"已添加成员 {data.username}；现有成员：{'、'.join(m.username for m in members)}"

    return await as_officer(request, work)


async def _remove_member(request: Request, data: MemberForm) -> str:
    from app.auth.roles import user_id_for
    from app.organisations.registry import remove_member

    async def work(principal: Principal) -> str:
        await remove_member(principal, data.organisation_id, await user_id_for(data.username), data.reason)
        return f"已移除成员 {data.username}"

    return await as_officer(request, work)


class RoleForm(RequestModel):
    username: str = Field(min_length=3, max_length=50, title="用户名")
    role: str = labelled({role.value: ROLE_LABELS_ZH[role] for role in Role}, title="角色", text=True)
    district: str = labelled(CITY_OR_DISTRICT, default="", title="所属区", description="仅项目官员", text=True)
    display_name: str = Field(default="", max_length=100, title="姓名", description="留空表示不变")
    reason: str = Field(default="", max_length=1000, title="原因")


async def _change_role(request: Request, data: RoleForm) -> str:
    from app.auth.roles import AccountRoleChange, change_role, user_id_for

    change = validated(
        AccountRoleChange,
        {"role": data.role, "district": data.district or None, **_filled(data, "display_name", "reason")},
    )

    async def work(principal: Principal) -> str:
        account = await change_role(principal, await user_id_for(data.username), change)
        district = DISTRICT_NAMES_ZH[District(account.district)] if account.district else "市级"
        role = ROLE_LABELS_ZH[account.role]
        return f"账户 {account.username} 现为{role}（{district}）；已签发的令牌在到期前仍按原角色"

    return await as_officer(request, work)


SETTINGS_FORMS = [
    FormConfig(
        "修改轮次设置",
        RoundSettingsForm,
        _update_round,
        description="名称、时间、匿名评审、资格规则、汇总方法、附件、评分标准；与 PATCH /rounds/{id} 同一规则并留痕",
        form_group="项目与轮次",
    ),
    FormConfig(
        "修改项目",
        ProgrammeForm,
        _update_programme,
        description="名称、说明、回避规则；项目类型仅在尚无届次时可改",
        form_group="项目与轮次",
    ),
    FormConfig(
        "更正社会组织登记信息",
        OrganisationForm,
        _correct_organisation,
        description="依登记管理机关的信息更正；更正前后的值记入审计日志",
        form_group="社会组织",
    ),
    FormConfig(
        "添加机构成员",
        MemberForm,
        _add_member,
        description="成员可代表机构申报、签署协议、登记收款账户",
        form_group="社会组织",
    ),
    FormConfig("移除机构成员", MemberForm, _remove_member, description="机构至少保留一名成员", form_group="社会组织"),
    FormConfig(
        "调整账户角色", RoleForm, _change_role, description="仅系统管理员；不能调整自己的角色", form_group="系统"
    ),
]
