"""The report form (中期/结项报告): a JSON Schema like the application forms, validated by ``programmes.forms``.

An edition may set its own ``Edition.report_schema``; when it is empty every report uses ``DEFAULT_REPORT_SCHEMA``.
"""

from __future__ import annotations

import copy
from typing import Any

import programmes.catalogue.access  # noqa: F401  (the edition policy, EDITIONS)
from app.access import load
from app.auth.principal import Principal
from app.errors import FieldError
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.forms import DRAFT_2020_12, answer_errors, check_form_schema
from programmes.reports.schemas import ReportFormRead
from programmes.tables import Edition

DEFAULT_REPORT_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT_2020_12,
    "type": "object",
    "title": "项目进展报告",
    "required": ["summary", "beneficiaries", "outcomes", "problems", "next_steps"],
    "properties": {
        "summary": {"type": "string", "title": "进展概述", "minLength": 10, "maxLength": 5000},
        "beneficiaries": {"type": "integer", "title": "受益人数", "minimum": 0},
        "outcomes": {"type": "string", "title": "主要成效", "minLength": 1, "maxLength": 5000},
        "problems": {"type": "string", "title": "存在问题", "maxLength": 5000},
        "next_steps": {"type": "string", "title": "下阶段计划", "minLength": 1, "maxLength": 5000},
    },
    "additionalProperties": False,
}


def report_schema(edition_schema: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    """The form of one report: the edition's own when set, else the default (a final report has no next stage)."""
    if edition_schema:
        return edition_schema
    schema = copy.deepcopy(DEFAULT_REPORT_SCHEMA)
    if kind == "final":
        schema["required"] = [name for name in schema["required"] if name != "next_steps"]
    return schema


def report_answer_errors(schema: dict[str, Any], answers: dict[str, Any]) -> list[FieldError]:
    """Same validator and zh-CN per-field messages as application forms; fields are ``answers.<path>``."""
    return answer_errors(schema, answers)


async def set_edition_report_form(principal: Principal, edition_id: int, schema: dict[str, Any]) -> ReportFormRead:
    """An officer in scope gives an edition its own report form, checked like an application form. Reports
    already submitted keep their answers; the new form applies to what is saved and submitted from now on."""
    await load(principal, Edition, edition_id, columns=(Edition.scope_district,))
    if schema:
        check_form_schema(schema)
    async with unit_of_work(Actor.of(principal)) as uow:
        await Edition.update({Edition.report_schema: schema}).where(Edition.id == edition_id)
        await uow.audit("edition.report_form", "edition", edition_id, after={"report_schema": schema or "default"})
    return ReportFormRead(edition_id=edition_id, report_schema=schema or DEFAULT_REPORT_SCHEMA, is_default=not schema)
