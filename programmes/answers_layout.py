"""An application's answers laid out as the applicant saw the form: its labels (``title``), its order (``x-ui.order``),
groups as framed sections and repeatable groups item by item; answers the form does not declare are listed last.
Shared by the admin's reader page and the portal's expert page, which may not import each other (contract layers)."""

from __future__ import annotations

from html import escape
from typing import Any

from programmes.form_ui import MAX_DEPTH, Schema, items_of, merged, ordered_names, properties_of, title_of


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


EMPTY = '<span class="empty">（未填写）</span>'


def render_answers(schema: Schema | None, answers: dict[str, Any]) -> str:
    if not schema:
        return _undeclared(answers, set())
    body = _fields(schema, [schema], answers, 0)
    declared = set(properties_of(schema, [schema]))
    return body + _undeclared(answers, declared)


def _fields(root: Schema, decls: list[Schema], value: Any, depth: int) -> str:
    props = properties_of(root, decls)
    answers = value if isinstance(value, dict) else {}
    rows: list[str] = []
    for name in ordered_names(merged(decls), props):
        sub = props[name]
        label = title_of(sub, name)
        rows.append(_field(root, sub, label, answers.get(name), depth))
    return f'<dl class="answers">{"".join(rows)}</dl>'


def _field(root: Schema, decls: list[Schema], label: str, value: Any, depth: int) -> str:
    if depth < MAX_DEPTH and properties_of(root, decls):
        inner = _fields(root, decls, value, depth + 1)
        return f"<dt>{esc(label)}</dt><dd><fieldset><legend>{esc(label)}</legend>{inner}</fieldset></dd>"
    items = items_of(root, decls)
    if depth < MAX_DEPTH and items and properties_of(root, items):
        entries = value if isinstance(value, list) else []
        parts = [
            f"<fieldset><legend>{esc(label)} {n}</legend>{_fields(root, items, item, depth + 1)}</fieldset>"
            for n, item in enumerate(entries, start=1)
        ]
        return f"<dt>{esc(label)}</dt><dd>{''.join(parts) or EMPTY}</dd>"
    return f"<dt>{esc(label)}</dt><dd>{scalar(merged(decls), value)}</dd>"


def scalar(schema: Schema, value: Any) -> str:
    """One answer as text: lists joined, yes/no in Chinese, money with thousands separators and its unit."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return esc("、".join(str(v) for v in value))
    hints = schema.get("x-ui")
    ui: dict[str, Any] = hints if isinstance(hints, dict) else {}
    unit = str(ui.get("unit", "元" if ui.get("widget") == "money" else ""))
    if isinstance(value, int | float) and (unit or ui.get("widget") == "money"):
        return esc(f"{value:,} {unit}".strip())
    if isinstance(value, dict):
        return esc("；".join(f"{k}：{v}" for k, v in value.items()))
    return esc(value)


def _undeclared(answers: dict[str, Any], declared: set[str]) -> str:
    extra = {k: v for k, v in answers.items() if k not in declared}
    if not extra:
        return "" if declared else "<p>（无申报内容）</p>"
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{scalar({}, v)}</dd>" for k, v in extra.items())
    return f'<h3>表单未声明的内容</h3><dl class="answers">{rows}</dl>'
