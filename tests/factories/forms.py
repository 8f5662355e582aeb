"""Forms for the portal's form renderer: one with every ``x-ui`` widget, a repeatable group, a nested section and a
conditional field; a 60-field one for the benchmark; and what a browser would post from a rendered form."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

WIDGET_FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "x-ui": {
        "order": [
            "project_name",
            "summary",
            "beneficiaries",
            "budget_total",
            "district",
            "cooperates",
            "partner_name",
            "consent",
            "target_groups",
            "start_date",
            "email",
            "phone",
            "website",
            "contact",
            "team",
        ]
    },  # fmt: skip
    "required": ["project_name", "summary", "team", "cooperates"],
    "properties": {
        "project_name": {
            "type": "string",
            "title": "项目名称",
            "minLength": 2,
            "x-ui": {"placeholder": "如：银龄助餐"},
        },
        "summary": {
            "type": "string",
            "title": "项目简介",
            "description": "说明要解决的社区问题。",
            "minLength": 10,
            "x-ui": {"widget": "textarea", "rows": 4},
        },
        "beneficiaries": {
            "type": "integer",
            "title": "受益人数",
            "minimum": 1,
            "x-ui": {"widget": "number", "unit": "人"},
        },
        "budget_total": {"type": "number", "title": "预算总额", "minimum": 0, "x-ui": {"widget": "money"}},
        "district": {"type": "string", "title": "所在区", "enum": ["长宁区", "徐汇区"], "x-ui": {"widget": "select"}},
        "cooperates": {"type": "boolean", "title": "是否与其他组织合作", "x-ui": {"widget": "radio"}},
        "partner_name": {"type": "string", "title": "合作方名称", "minLength": 2},
        "consent": {"type": "boolean", "title": "同意公开项目简介", "x-ui": {"widget": "checkbox"}},
        "target_groups": {
            "type": "array",
            "title": "服务对象",
            "uniqueItems": True,
            "items": {"type": "string", "enum": ["老年人", "儿童青少年", "社区居民"]},
            "x-ui": {"widget": "checkboxes"},
        },
        "start_date": {"type": "string", "format": "date", "title": "开始日期", "x-ui": {"widget": "date"}},
        "email": {"type": "string", "format": "email", "title": "联系邮箱", "x-ui": {"widget": "email"}},
        "phone": {
            "type": "string",
            "format": "phone",
            "title": "联系电话",
            "identifying": True,
            "x-ui": {"widget": "phone"},
        },
        "website": {"type": "string", "format": "uri", "title": "网站", "x-ui": {"widget": "url"}},
        "contact": {
            "type": "object",
            "title": "联系人",
            "x-ui": {"order": ["name", "role"]},
            "properties": {
                "name": {"type": "string", "title": "姓名"},
                "role": {"type": "string", "title": "职务"},
            },
        },
        "team": {
            "type": "array",
            "title": "团队成员",
            "minItems": 1,
            "x-ui": {"addLabel": "添加成员"},
            "items": {
                "type": "object",
                "x-ui": {"order": ["name", "age"]},
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "title": "姓名", "minLength": 1},
                    "age": {"type": "integer", "title": "年龄", "minimum": 16},
                },
            },
        },
    },
    "if": {"properties": {"cooperates": {"const": True}}, "required": ["cooperates"]},
    "then": {"required": ["partner_name"]},
}

WIDGET_ANSWERS: dict[str, Any] = {
    "project_name": "银龄助餐·社区食堂",
    "summary": "为社区独居老人提供助餐与陪伴服务。\n第二行说明。",
    "beneficiaries": 120,
    "budget_total": 12345.5,
    "district": "长宁区",
    "cooperates": True,
    "partner_name": "某某街道社区食堂",
    "consent": True,
    "target_groups": ["老年人", "社区居民"],
    "start_date": "2026-03-01",
    "email": "contact@example.org",
    "phone": "13912345678",
    "website": "https://example.org",
    "contact": {"name": "张三", "role": "负责人"},
    "team": [{"name": "王小梅", "age": 35}, {"name": "李强"}],
}


def sixty_field_form() -> dict[str, Any]:
    """60 answerable fields: 40 plain ones of every kind, and a repeatable group of 4 fields shown with 5 items."""
    kinds = [
        {"type": "string", "x-ui": {"widget": "text"}},
        {"type": "string", "x-ui": {"widget": "textarea", "rows": 3}},
        {"type": "integer", "x-ui": {"widget": "number", "unit": "人"}},
        {"type": "integer", "x-ui": {"widget": "money"}},
        {"type": "string", "enum": ["甲", "乙", "丙"], "x-ui": {"widget": "select"}},
        {"type": "boolean", "x-ui": {"widget": "radio"}},
        {"type": "string", "format": "date", "x-ui": {"widget": "date"}},
        {"type": "string", "format": "email", "x-ui": {"widget": "email"}},
    ]
    properties: dict[str, Any] = {
        f"f{n}": {**kinds[n % len(kinds)], "title": f"第 {n + 1} 项", "description": "说明文字"} for n in range(40)
    }
    item = {f"g{n}": {"type": "string", "title": f"明细 {n + 1}"} for n in range(4)}
    properties["rows"] = {"type": "array", "title": "明细", "items": {"type": "object", "properties": item}}
    return {"type": "object", "required": ["f0", "f1"], "x-ui": {"order": list(properties)}, "properties": properties}


def sixty_field_answers() -> dict[str, Any]:
    answers: dict[str, Any] = {f"f{n}": "填写的内容" for n in range(0, 40, 8)}
    answers["rows"] = [{f"g{n}": f"第 {i} 行" for n in range(4)} for i in range(5)]
    return answers


class _Fields(HTMLParser):
    """The (name, value) pairs a browser posts: ticked boxes only, the selected option, no buttons, nothing inside a
    ``<template>``."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._template = 0
        self._select: str | None = None
        self._selected = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._template += 1
        if self._template or "name" not in found and tag != "option":
            return
        if tag == "input" and found.get("type") not in ("submit", "button"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.pairs.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select, self._selected = found["name"], ""
        elif tag == "option" and self._select is not None and "selected" in found:
            self._selected = found.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = found["name"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
        elif tag == "select" and self._select is not None and not self._template:
            self.pairs.append((self._select, self._selected))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and not self._template:
            self.pairs.append((self._textarea, self._text.replace("\n", "\r\n")))  # browsers post CRLF
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and not self._template:
            self._text += data


def posted(html: str) -> list[tuple[str, str]]:
    parser = _Fields()
    parser.feed(html)
    return parser.pairs
