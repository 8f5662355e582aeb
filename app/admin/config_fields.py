"""Structured fields of the programme/round configuration forms (issue 16, task 2): labelled choices, Beijing-time
moments, rubric and track rows, attachment types, form templates.

Piccolo Admin 1.14 builds a form from the model's JSON schema but its form view passes no ``choices`` to its inputs
(enums render as text boxes), and it renders no nested objects or lists of objects. So:

- a choice is a ``str`` field whose schema carries ``enum`` and Piccolo's own ``extra.choices`` (what its table views
  render as a dropdown); the handler maps the Chinese label to the code, refusing anything else in Chinese;
- a moment is a ``str`` with ``format: date-time`` (the admin shows its date-time picker); naive input is Beijing time;
- a rubric or a track list is N fixed rows of plain fields (a blank row is skipped).

Every value is then parsed into the API's own schema (``validated``), so the rules and the zh-CN messages are the
API's. Nothing here is validated by the form model itself: pydantic's errors at that step come back in English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel, Field, create_model

from app.admin.form_templates import CUSTOM_JSON, FORM_TEMPLATES
from app.reference import DISTRICT_NAMES_ZH
from app.timezone import SHANGHAI
from programmes.catalogue.schemas import DEFAULT_ATTACHMENT_TYPES
from programmes.kinds import ROUND_STAGE_ZH
from programmes.tables import ProgrammeKind

T = TypeVar("T")

KEEP = "不变"
CITY_LEVEL = "市级"
KIND_CHOICES: dict[str, str] = {
    "公益创新创业大赛": ProgrammeKind.contest,
    "沪社星耀（孵化支持）": ProgrammeKind.support_plan,
    "聚力计划（供需对接）": ProgrammeKind.matching,
}
DISTRICT_CHOICES: dict[str, str | None] = {
    CITY_LEVEL: None,
    **{name: district.value for district, name in DISTRICT_NAMES_ZH.items()},
}
STAGE_CHOICES: dict[str, str] = {label: stage.value for stage, label in ROUND_STAGE_ZH.items()}
AGGREGATION_CHOICES: dict[str, str] = {
    "加权平均": "weighted_mean",
    "中位数": "median",
    "去掉最高最低分后平均": "trimmed_mean",
    "校准后平均（消除评委宽严差异）": "calibrated_mean",
}
YES_NO: dict[str, bool] = {"是": True, "否": False}
TEMPLATE_CHOICES: dict[str, str] = {**{name: name for name in FORM_TEMPLATES}, CUSTOM_JSON: CUSTOM_JSON}
FIRST_TEMPLATE = next(iter(FORM_TEMPLATES))


def choice(options: Mapping[str, Any], *, title: str, default: str, description: str = "", keep: bool = False) -> Any:
    """A labelled choice field: its labels are what the officer sees, sends and is told about."""
    labels = [KEEP, *options] if keep else list(options)
    listed = "、".join(labels)
    return Field(
        default=default,
        max_length=60,
        title=f"{title}（{listed}）",  # Piccolo's form shows a field's title, not its description
        description=f"{description}（可选：{listed}）" if description else f"可选：{listed}",
        json_schema_extra=cast(
            "dict[str, Any]",
            {
                "enum": labels,
                "extra": {"choices": {label: {"display_name": label, "value": label} for label in labels}},
            },
        ),
    )


def pick(field_name: str, text: str, options: Mapping[str, T]) -> T:
    """The code behind a chosen label; anything else is refused naming the field."""
    try:
        return options[text.strip()]
    except KeyError:
        raise ValueError(f"{field_name}：请选择 {'、'.join(options)} 之一") from None


def moment_field(*, title: str, default: str = "", description: str = "北京时间，例如 2026-03-01 09:00") -> Any:
    return Field(
        default=default,
        max_length=40,
        title=f"{title}（北京时间）",
        description=description,
        json_schema_extra={"format": "date-time"},
    )


def beijing(field_name: str, text: str) -> datetime:
    """ "2026-03-01 09:00" or the picker's "2026-03-01T09:00" is Beijing time; an explicit offset is kept."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{field_name}：时间格式应为 2026-03-01 09:00（北京时间）") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def number(text: str) -> int | str:
    """Digits become an int; anything else goes on as text for the API's schema to name what is wrong."""
    text = text.strip()
    return int(text) if text.isdigit() else text


# 附件类型 as one yes/no select each (the admin's nearest thing to checkboxes).
ATTACHMENT_FIELDS: dict[str, Any] = {
    f"attach_{kind}": (bool, Field(default=True, title=f"允许 {label} 附件"))
    for kind, label in zip(
        DEFAULT_ATTACHMENT_TYPES, ("PDF", "Word（docx）", "Excel（xlsx）", "JPG 图片", "PNG 图片"), strict=True
    )
}


def attachment_types(data: BaseModel) -> list[str]:
    return [kind for kind in DEFAULT_ATTACHMENT_TYPES if getattr(data, f"attach_{kind}")]


CRITERION_ROWS = 6
TRACK_ROWS = 4


def _criterion_row(i: int) -> dict[str, Any]:
    extra = "（小写字母、数字、下划线，例如 innovation）" if i == 1 else ""
    return {
        f"criterion_{i}_code": Field(default="", max_length=50, title=f"评分项 {i}：代码{extra}"),
        f"criterion_{i}_name": Field(default="", max_length=100, title=f"评分项 {i}：名称"),
        f"criterion_{i}_weight": Field(default="", max_length=4, title=f"评分项 {i}：权重"),
        f"criterion_{i}_max_score": Field(default="", max_length=4, title=f"评分项 {i}：满分"),
    }


def criteria_rows(data: BaseModel) -> list[dict[str, Any]]:
    """The filled rubric rows, in order; a row with nothing typed is skipped, a half-filled row is the schema's."""
    rows = []
    for i in range(1, CRITERION_ROWS + 1):
        code, name, weight, top = (
            str(getattr(data, f"criterion_{i}_{part}")).strip() for part in ("code", "name", "weight", "max_score")
        )
        if code or name or weight or top:
            rows.append({"code": code, "name": name, "weight": number(weight), "max_score": number(top)})
    return rows


def track_rows(data: BaseModel) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, TRACK_ROWS + 1):
        name, quota = (str(getattr(data, f"track_{i}_{part}")).strip() for part in ("name", "quota"))
        if name or quota:
            rows.append({"name": name, "quota": number(quota) if quota else None})
    return rows


# The fields of the fixed rows, spliced into the form models' namespaces (pydantic reads annotations + defaults).
CRITERION_FIELDS: dict[str, Any] = {
    k: (str, v) for i in range(1, CRITERION_ROWS + 1) for k, v in _criterion_row(i).items()
}
TRACK_FIELDS: dict[str, Any] = {
    k: (str, v)
    for i in range(1, TRACK_ROWS + 1)
    for k, v in {
        f"track_{i}_name": Field(default="", max_length=100, title=f"赛道 {i}：名称", description="不分赛道则留空"),
        f"track_{i}_quota": Field(default="", max_length=6, title=f"赛道 {i}：入围名额", description="留空表示不限"),
    }.items()
}


def with_rows(name: str, base: type[BaseModel], *rows: Mapping[str, Any]) -> type[BaseModel]:
    """``base`` followed by the rows' ``(type, Field)`` definitions (the admin renders fields in this order)."""
    fields: dict[str, Any] = {field_name: field for row in rows for field_name, field in row.items()}
    return create_model(name, __base__=base, **fields)


def form_schema_from(template: str, text: str) -> dict[str, Any]:
    """The chosen template, or the pasted schema (which the service checks like the API's)."""
    chosen = pick("form_template", template, TEMPLATE_CHOICES)
    if chosen != CUSTOM_JSON:
        if text.strip():
            raise ValueError("form_schema：已选择模板时请留空自定义 JSON，或将模板改为「自定义」")
        return FORM_TEMPLATES[chosen]
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("form_schema：JSON 格式不正确") from None
    if not isinstance(schema, dict):
        raise ValueError("form_schema：表单定义的顶层必须是 object")
    return schema
