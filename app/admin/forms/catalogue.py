"""Piccolo Admin forms that set up a programme, an edition and a round (issue 16, task 2): 新建项目, 新建届次, 新建轮次.

Each parses its structured fields (config_fields) into the API's schema (ProgrammeCreate, EditionCreate, RoundCreate)
and calls the API's service (programmes.catalogue.service), so scope, rules, zh-CN messages and audit rows are the
API's: a district officer creates only in their own district and cannot reach another district's programme.
"""

from __future__ import annotations

from typing import Any

from piccolo_admin.endpoints import FormConfig
from pydantic import BaseModel, Field
from starlette.requests import Request

from app.access import staff_filter
from app.admin.config_fields import (
    AGGREGATION_CHOICES,
    ATTACHMENT_FIELDS,
    CITY_LEVEL,
    CRITERION_FIELDS,
    DISTRICT_CHOICES,
    FIRST_TEMPLATE,
    KIND_CHOICES,
    STAGE_CHOICES,
    TEMPLATE_CHOICES,
    TRACK_FIELDS,
    attachment_types,
    beijing,
    choice,
    criteria_rows,
    form_schema_from,
    moment_field,
    number,
    pick,
    track_rows,
    with_rows,
)
from app.admin.forms.common import as_officer, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.errors import not_found
from app.types import FormId, RequestModel


class ProgrammeCreateForm(RequestModel):
    name: str = Field(default="", max_length=200, title="项目名称", description="例如 上海社会组织公益创新创业大赛")
    kind: str = choice(KIND_CHOICES, title="项目类型", default="公益创新创业大赛", description="创建届次后不能修改")
    scope_district: str = choice(
        DISTRICT_CHOICES, title="所属范围", default=CITY_LEVEL, description="区级项目官员只能选择本区"
    )
    description: str = Field(default="", max_length=5000, title="项目说明")


async def _create_programme(request: Request, data: ProgrammeCreateForm) -> str:
    from programmes.catalogue.schemas import ProgrammeCreate
    from programmes.catalogue.service import create_programme

    values = {
        "name": data.name.strip(),
        "kind": pick("kind", data.kind, KIND_CHOICES),
        "scope_district": pick("scope_district", data.scope_district, DISTRICT_CHOICES),
        "description": data.description,
    }
    programme = validated(ProgrammeCreate, values)

    async def work(principal: Principal) -> str:
        done = await create_programme(principal, programme)
        return f"项目 {done.id}「{done.name}」已创建；下一步：新建届次"

    return await as_officer(request, work)


class EditionCreateForm(RequestModel):
    programme: str = picked(
        "programme",
        max_length=200,
        title="项目",
        description="只列出您有权管理的项目；也可选「输入编号…」填写项目名称或编号",
    )
    year: str = Field(default="2026", max_length=4, title="年度", description="例如 2026")
    title: str = Field(default="", max_length=200, title="届次名称（留空为「年度 年度」）")


async def programme_by_name(principal: Principal, text: str) -> int:
    """The programme an officer named (or numbered), among those in their scope: a name not in scope is unknown."""
    from programmes.tables import Programme

    text = text.strip()
    where = Programme.id == int(text) if text.isdigit() and len(text) <= 9 else Programme.name == text
    rows = await Programme.select(Programme.id).where(where, *staff_filter(principal, Programme.scope_district))
    if not rows:
        raise not_found("项目")
    if len(rows) > 1:
        raise ValueError(f"programme：有 {len(rows)} 个同名项目，请填写项目编号")
    return int(rows[0]["id"])


async def _create_edition(request: Request, data: EditionCreateForm) -> str:
    from programmes.catalogue.schemas import EditionCreate
    from programmes.catalogue.service import create_edition

    year = data.year.strip()
    edition = validated(EditionCreate, {"year": number(year), "title": data.title.strip() or f"{year} 年度"})

    async def work(principal: Principal) -> str:
        done = await create_edition(principal, await programme_by_name(principal, data.programme), edition)
        return f"届次 {done.id}「{done.title}」已创建；下一步：新建轮次（届次编号 {done.id}）"

    return await as_officer(request, work)


class RoundCreateBase(RequestModel):
    edition_id: FormId = picked("edition", title="届次")
    name: str = Field(default="", max_length=100, title="轮次名称", description="例如 初赛")
    stage: str = choice(STAGE_CHOICES, title="阶段", default="申报", description="每届只有一个决赛路演")
    position: str = Field(default="0", max_length=3, title="阶段顺序（0–100，小的在前）")
    opens_at: str = moment_field(title="开放时间")
    closes_at: str = moment_field(title="截止时间", description="北京时间，例如 2026-04-01 17:00")
    blind: bool = Field(default=True, title="匿名评审", description="专家看不到申报单位名称")
    reviews_per_application: str = Field(default="3", max_length=2, title="每个申报的评审专家人数")
    aggregation_method: str = choice(AGGREGATION_CHOICES, title="排名汇总方法", default="加权平均")
    allow_multiple_entries: bool = Field(default=False, title="允许同一单位在同一赛道多次申报")
    max_attachment_mb: str = Field(default="20", max_length=4, title="单个附件上限（MB）")
    max_application_attachment_mb: str = Field(default="100", max_length=5, title="每个申报附件总上限（MB）")
    form_template: str = choice(TEMPLATE_CHOICES, title="申报表模板", default=FIRST_TEMPLATE)
    form_title: str = Field(default="项目申报书", max_length=200, title="申报表标题")
    form_schema: str = Field(
        default="",
        max_length=100_000,
        title="自定义申报表 JSON Schema（仅模板选「自定义」时填写）",
        description="仅当模板选「自定义」时填写；与 API 相同的表单定义检查",
    )


RoundCreateForm: type[BaseModel] = with_rows(
    "RoundCreateForm", RoundCreateBase, ATTACHMENT_FIELDS, CRITERION_FIELDS, TRACK_FIELDS
)


def _when(name: str, text: str) -> Any:
    return beijing(name, text) if text.strip() else text  # blank: the schema's 此字段为必填项


async def _create_round(request: Request, data: BaseModel) -> str:
    from programmes.catalogue.schemas import RoundCreate
    from programmes.catalogue.service import create_round

    form: Any = data
    values = {
        "name": form.name.strip(),
        "stage": pick("stage", form.stage, STAGE_CHOICES),
        "position": number(form.position),
        "opens_at": _when("opens_at", form.opens_at),
        "closes_at": _when("closes_at", form.closes_at),
        "blind": form.blind,
        "reviews_per_application": number(form.reviews_per_application),
        "aggregation_method": pick("aggregation_method", form.aggregation_method, AGGREGATION_CHOICES),
        "allow_multiple_entries": form.allow_multiple_entries,
        "attachment_types": attachment_types(form),
        "max_attachment_mb": number(form.max_attachment_mb),
        "max_application_attachment_mb": number(form.max_application_attachment_mb),
        "form_title": form.form_title.strip(),
        "form_schema": form_schema_from(form.form_template, form.form_schema),
        "criteria": criteria_rows(form),
        "tracks": track_rows(form),
    }
    new_round = validated(RoundCreate, values)

    async def work(principal: Principal) -> str:
        done = await create_round(principal, form.edition_id, new_round)
        return f"轮次 {done.id}「{done.name}」已创建（草稿）；设置资格条件后用「开放轮次」开放申报"

    return await as_officer(request, work)


CATALOGUE_FORMS = [
    FormConfig(
        "新建项目",
        ProgrammeCreateForm,
        _create_programme,
        description="与 POST /programmes 同一规则并留痕；区级项目官员只能创建本区项目",
        form_group="项目与轮次",
    ),
    FormConfig(
        "新建届次",
        EditionCreateForm,
        _create_edition,
        description="按名称选择项目（或填写项目编号）；与 POST /programmes/{id}/editions 同一规则",
        form_group="项目与轮次",
    ),
    FormConfig(
        "新建轮次",
        RoundCreateForm,
        _create_round,
        description="阶段、北京时间的开放与截止、匿名评审、汇总方法、附件、申报表模板、评分细则与赛道；"
        "与 POST /editions/{id}/rounds 同一规则并留痕；创建后为草稿",
        form_group="项目与轮次",
    ),
]
