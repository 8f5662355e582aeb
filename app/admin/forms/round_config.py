"""Piccolo Admin forms that configure an existing round (issue 16, task 2): 修改轮次, 设置评分细则, 设置资格条件,
表单版本 — structured fields instead of the JSON text boxes of 「修改轮次设置」.

Each builds the API's schema (RoundSettingsUpdate, FormVersionCreate) and calls the API's service
(update_round_settings, new_form_version): the same locks (blind and rubric once review started, ranking settings
once closed, stage once entries exist), the same zh-CN messages, the same audit rows, the same scope.
"""

from __future__ import annotations

from typing import Any

from piccolo_admin.endpoints import FormConfig
from pydantic import BaseModel, Field
from starlette.requests import Request

from app.admin.config_fields import (
    AGGREGATION_CHOICES,
    ATTACHMENT_FIELDS,
    CRITERION_FIELDS,
    DISTRICT_CHOICES,
    FIRST_TEMPLATE,
    KEEP,
    STAGE_CHOICES,
    TEMPLATE_CHOICES,
    YES_NO,
    attachment_types,
    beijing,
    choice,
    criteria_rows,
    form_schema_from,
    moment_field,
    number,
    pick,
    with_rows,
)
from app.admin.forms.common import as_officer, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.organisations.kinds import OrganisationType
from app.types import FormId, RequestModel
from programmes.eligibility import ORG_TYPES_ZH

TYPE_ZH = ORG_TYPES_ZH

EDIT_TRACK_ROWS = 4
UNLIMITED = "不限"
_KEEP_ATTACHMENTS = {KEEP: False, "按下列设置": True}


async def _save(request: Request, round_id: int, values: dict[str, Any], what: str) -> str:
    from programmes.catalogue.settings import update_round_settings
    from programmes.catalogue.settings_schemas import RoundSettingsUpdate

    update = validated(RoundSettingsUpdate, values)

    async def work(principal: Principal) -> str:
        done = await update_round_settings(principal, round_id, update)
        return f"轮次 {done.id}「{done.name}」的{what}已保存"

    return await as_officer(request, work)


class RoundEditBase(RequestModel):
    round_id: FormId = picked("round", title="轮次")
    name: str = Field(default="", max_length=100, title="轮次名称（留空表示不变，下同）")
    stage: str = choice(STAGE_CHOICES, title="阶段", default=KEEP, keep=True, description="轮次有申报后不能修改")
    position: str = Field(default="", max_length=3, title="阶段顺序", description="0–100；轮次有申报后不能修改")
    opens_at: str = moment_field(title="开放时间")
    closes_at: str = moment_field(title="截止时间", description="北京时间，例如 2026-04-01 17:00")
    blind: str = choice(YES_NO, title="匿名评审", default=KEEP, keep=True, description="评审开始后不能修改")
    reviews_per_application: str = Field(default="", max_length=2, title="每个申报的评审专家人数")
    aggregation_method: str = choice(
        AGGREGATION_CHOICES, title="排名汇总方法", default=KEEP, keep=True, description="轮次关闭后不能修改"
    )
    allow_multiple_entries: str = choice(YES_NO, title="允许同一单位在同一赛道多次申报", default=KEEP, keep=True)
    max_attachment_mb: str = Field(default="", max_length=4, title="单个附件上限（MB）")
    max_application_attachment_mb: str = Field(default="", max_length=5, title="每个申报附件总上限（MB）")
    change_attachments: str = choice(
        _KEEP_ATTACHMENTS, title="附件类型", default=KEEP, description="选「按下列设置」时以下列各项为准"
    )
    reason: str = Field(default="", max_length=1000, title="修改原因", description="记入审计日志")


def _edit_track_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for i in range(1, EDIT_TRACK_ROWS + 1):
        fields[f"track_{i}_id"] = (
            str,
            Field(default="", max_length=10, title=f"赛道 {i}：编号（见「赛道」表）"),
        )
        fields[f"track_{i}_name"] = (str, Field(default="", max_length=100, title=f"赛道 {i}：新名称"))
        fields[f"track_{i}_quota"] = (
            str,
            Field(default="", max_length=6, title=f"赛道 {i}：入围名额（填「{UNLIMITED}」取消名额）"),
        )
    return fields


RoundEditForm: type[BaseModel] = with_rows("RoundEditForm", RoundEditBase, ATTACHMENT_FIELDS, _edit_track_fields())


def _track_changes(form: Any) -> list[dict[str, Any]]:
    changes = []
    for i in range(1, EDIT_TRACK_ROWS + 1):
        track_id, name, quota = (str(getattr(form, f"track_{i}_{part}")).strip() for part in ("id", "name", "quota"))
        if not (track_id or name or quota):
            continue
        change: dict[str, Any] = {"id": number(track_id)}
        if name:
            change["name"] = name
        if quota:
            change["quota"] = None if quota == UNLIMITED else number(quota)
        changes.append(change)
    return changes


async def _edit_round(request: Request, data: BaseModel) -> str:
    form: Any = data
    values: dict[str, Any] = {"reason": form.reason}
    if form.name.strip():
        values["name"] = form.name.strip()
    for name, options in (
        ("stage", STAGE_CHOICES),
        ("blind", YES_NO),
        ("aggregation_method", AGGREGATION_CHOICES),
        ("allow_multiple_entries", YES_NO),
    ):
        if getattr(form, name).strip() != KEEP:
            values[name] = pick(name, getattr(form, name), options)
    for name in ("position", "reviews_per_application", "max_attachment_mb", "max_application_attachment_mb"):
        if text := getattr(form, name).strip():
            values[name] = number(text)
    for name in ("opens_at", "closes_at"):
        if text := getattr(form, name).strip():
            values[name] = beijing(name, text)
    if pick("change_attachments", form.change_attachments, _KEEP_ATTACHMENTS):
        values["attachment_types"] = attachment_types(form)
    if tracks := _track_changes(form):
        values["tracks"] = tracks
    return await _save(request, form.round_id, values, "设置")


class RubricBase(RequestModel):
    round_id: FormId = picked("round", title="轮次", description="评审开始（已分配专家）后不能修改")
    reason: str = Field(default="", max_length=1000, title="修改原因", description="记入审计日志")


RubricForm: type[BaseModel] = with_rows("RubricForm", RubricBase, CRITERION_FIELDS)


async def _set_rubric(request: Request, data: BaseModel) -> str:
    form: Any = data
    return await _save(request, form.round_id, {"criteria": criteria_rows(form), "reason": form.reason}, "评分细则")


GRADE_CHOICES: dict[str, str | None] = {UNLIMITED: None, "3A 及以上": "3A", "4A 及以上": "4A", "5A": "5A"}
DISTRICT_NAMES = {name: code for name, code in DISTRICT_CHOICES.items() if code is not None}


class EligibilityForm(RequestModel):
    round_id: FormId = picked("round", title="轮次", description="整体替换该轮次的资格条件")
    allow_social_association: bool = Field(default=True, title=f"允许{TYPE_ZH[OrganisationType.social_association]}")
    allow_social_service_institution: bool = Field(
        default=True,
        title=f"允许{TYPE_ZH[OrganisationType.social_service_institution]}",
    )
    allow_foundation: bool = Field(default=True, title=f"允许{TYPE_ZH[OrganisationType.foundation]}")
    allow_filed_community_group: bool = Field(
        default=True,
        title=f"允许{TYPE_ZH[OrganisationType.filed_community_group]}",
        description="须经代管的社会组织服务中心申报",
    )
    min_grade: str = choice(GRADE_CHOICES, title="最低评估等级", default=UNLIMITED, description="等级须在审查日有效")
    min_registration_years: str = Field(default="0", max_length=2, title="成立登记满（年，0 表示不限）")
    allowed_districts: str = Field(
        default="",
        max_length=400,
        title="允许申报的组织所在区（区名以顿号分隔，留空不限）",
        description="区名，用顿号或逗号分隔，例如 长宁区、徐汇区；留空表示不限（区级项目由系统限定为本区）",
    )
    certificate_warning_days: str = Field(
        default="90", max_length=3, title="登记证书临期提示（天）", description="只提示，不影响资格"
    )
    reason: str = Field(default="", max_length=1000, title="修改原因", description="记入审计日志")


def _districts(text: str) -> list[str] | None:
    names = [n.strip() for n in text.replace("、", ",").replace("，", ",").replace(" ", ",").split(",") if n.strip()]
    if not names:
        return None
    unknown = [n for n in names if n not in DISTRICT_NAMES]
    if unknown:
        raise ValueError(f"allowed_districts：无法识别的区「{'、'.join(unknown)}」，请填写如 长宁区、浦东新区")
    return [DISTRICT_NAMES[n] for n in names]


async def _set_eligibility(request: Request, data: EligibilityForm) -> str:
    types = [
        kind
        for kind in ("social_association", "social_service_institution", "foundation", "filed_community_group")
        if getattr(data, f"allow_{kind}")
    ]
    rules = {
        "allowed_types": types,
        "min_grade": pick("min_grade", data.min_grade, GRADE_CHOICES),
        "min_registration_years": number(data.min_registration_years),
        "allowed_districts": _districts(data.allowed_districts),
        "certificate_warning_days": number(data.certificate_warning_days),
    }
    return await _save(request, data.round_id, {"eligibility_rules": rules, "reason": data.reason}, "资格条件")


class FormVersionForm(RequestModel):
    round_id: FormId = picked("round", title="轮次", description="轮次关闭前可更换；已提交的申报保留原版本")
    form_template: str = choice(TEMPLATE_CHOICES, title="申报表模板", default=FIRST_TEMPLATE)
    form_title: str = Field(default="项目申报书", max_length=200, title="申报表标题")
    form_schema: str = Field(
        default="",
        max_length=100_000,
        title="自定义申报表 JSON Schema（仅模板选「自定义」时填写）",
        description="仅当模板选「自定义」时填写；与 API 相同的表单定义检查",
    )


async def _new_form_version(request: Request, data: FormVersionForm) -> str:
    from programmes.catalogue.schemas import FormVersionCreate
    from programmes.catalogue.service import new_form_version

    version = validated(
        FormVersionCreate,
        {"form_title": data.form_title.strip(), "form_schema": form_schema_from(data.form_template, data.form_schema)},
    )

    async def work(principal: Principal) -> str:
        done = await new_form_version(principal, data.round_id, version)
        return f"轮次 {done.id}「{done.name}」已启用新的申报表版本 {done.form_id}"

    return await as_officer(request, work)


ROUND_CONFIG_FORMS = [
    FormConfig(
        "修改轮次",
        RoundEditForm,
        _edit_round,
        description="名称、阶段、北京时间的开放与截止、匿名评审、汇总方法、附件、赛道名额；留空表示不变；"
        "与 PATCH /rounds/{id} 同一规则并留痕",
        form_group="项目与轮次",
    ),
    FormConfig(
        "设置评分细则",
        RubricForm,
        _set_rubric,
        description="逐行填写评分项（代码、名称、权重、满分），整体替换；评审开始后不能修改",
        form_group="项目与轮次",
    ),
    FormConfig(
        "设置资格条件",
        EligibilityForm,
        _set_eligibility,
        description="组织类型、最低评估等级、成立年限、所在区；整体替换，自动资格审查按此执行",
        form_group="项目与轮次",
    ),
    FormConfig(
        "更换申报表版本",
        FormVersionForm,
        _new_form_version,
        description="从模板或自定义 JSON Schema 生成新的申报表版本（与 API 相同的检查）",
        form_group="项目与轮次",
    ),
]
