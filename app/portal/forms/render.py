"""A form as HTML: every ``x-ui`` widget, repeatable groups with 添加/删除 (submit buttons that work without JS, which
app/portal/static/form.js turns into in-place edits), conditional fields marked with ``data-`` attributes (all shown
without JS), each field's zh-CN error under it and a summary of them at the top."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from app.errors import FieldError
from app.portal.forms.tree import Node, encode, form_tree
from programmes.form_ui import Schema

ADD = "__add"  # the submit button adding an item to the group it names (``team``, ``stages.0.tasks``)
REMOVE = "__remove"  # the submit button removing the item it names (``team.1``)
REQUIRED = '<span class="required" aria-hidden="true">*</span><span class="visually-hidden">（必填）</span>'
ErrorMap = dict[str, str]  # answer key (``team.1.name``; "" for the whole form) → zh-CN message


def error_map(errors: Iterable[FieldError]) -> ErrorMap:
    """The validator's FieldErrors (``answers.team.1.name``) by the renderer's field names (``team.1.name``)."""
    found: ErrorMap = {}
    for error in errors:
        key = error.field.removeprefix("answers").removeprefix(".")
        found[key] = f"{found[key]}；{error.message}" if key in found else error.message
    return found


def field_id(key: str) -> str:
    return "f-" + key.replace(".", "-")


def render_form(schema: Schema, answers: Mapping[str, Any], errors: Mapping[str, str] | None = None) -> Markup:
    """The fields of ``schema`` filled with ``answers``; the page adds the ``<form>``, its CSRF field and buttons."""
    errors = errors or {}
    tree = form_tree(schema)
    rendered: set[str] = set()
    body = "".join(_node(node, [], answers, errors, rendered, 0) for node in tree)
    return Markup(_summary(errors, rendered) + body)  # noqa: S704 — every answer, label and message is escaped


def _summary(errors: Mapping[str, str], rendered: set[str]) -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li><a href="#{field_id(key)}">{escape(text)}</a></li>' if key in rendered else f"<li>{escape(text)}</li>"
        for key, text in errors.items()
    )
    return (
        '<div class="error-summary" role="alert" tabindex="-1" id="error-summary">'
        f"<h2>请修改以下 {len(errors)} 处</h2><ul>{items}</ul></div>"
    )


def _value_at(answers: Any, name: str) -> Any:
    return answers.get(name) if isinstance(answers, Mapping) else None


def _node(node: Node, prefix: list[str], answers: Any, errors: Mapping[str, str], seen: set[str], depth: int) -> str:
    path = [*prefix, node.name]
    key = ".".join(path)
    seen.add(key)
    value = _value_at(answers, node.name)
    if node.group:
        html = _group(node, path, value, errors, seen, depth)
    elif node.spec is None:
        inner = "".join(_node(child, path, value, errors, seen, depth) for child in node.children)
        html = f'<fieldset class="section" id="{field_id(key)}"><legend>{escape(node.label)}</legend>{inner}</fieldset>'
    else:
        html = _field(node, key, value, errors.get(key, ""))
    if node.condition is None:
        return html
    controller = ".".join([*prefix, node.condition.name])
    values = escape(json.dumps(node.condition.values, ensure_ascii=False))
    negate = " data-show-negate" if node.condition.negate else ""
    shown = f'data-show-field="{escape(controller)}" data-show-values="{values}"{negate}'
    return f'<div class="conditional" {shown}>{html}</div>'


def _group(node: Node, path: list[str], value: Any, errors: Mapping[str, str], seen: set[str], depth: int) -> str:
    key = ".".join(path)
    items = value if isinstance(value, list) else []
    minimum = node.schema.get("minItems")
    count = max(len(items), minimum if isinstance(minimum, int) else 0)
    if value is None:
        count = max(count, 1)  # a group never answered starts with one empty item to fill
    rendered = "".join(
        _item(node, path, str(i), items[i] if i < len(items) else {}, errors, seen, depth, i + 1) for i in range(count)
    )
    placeholder = f"__i{depth}__"
    template = _item(node, path, placeholder, {}, {}, set(), depth, 0)
    ui = node.schema.get("x-ui")
    add_label = ui.get("addLabel") if isinstance(ui, dict) and isinstance(ui.get("addLabel"), str) else "添加一项"
    error = errors.get(key, "")
    return (
        f'<fieldset class="group" id="{field_id(key)}" data-group="{escape(key)}" data-placeholder="{placeholder}"'
        f' data-next-index="{count}" data-label="{escape(node.label)}"{_described(key, node.schema, error)}>'
        f"<legend>{escape(node.label)}{_marker(node)}</legend>{_hint(key, node.schema)}{_error(key, error)}"
        f'<div class="items">{rendered}</div><template>{template}</template>'
        f'<button type="submit" class="secondary" name="{ADD}" value="{escape(key)}" data-add formnovalidate>'
        f"{escape(add_label)}</button></fieldset>"
    )


def _item(
    node: Node,
    path: list[str],
    index: str,
    value: Any,
    errors: Mapping[str, str],
    seen: set[str],
    depth: int,
    number: int,
) -> str:
    item_path = [*path, index]
    inner = "".join(_node(child, item_path, value, errors, seen, depth + 1) for child in node.children)
    legend = f"{escape(node.label)} {number if number else ''}".strip()
    key = ".".join(item_path)
    return (
        f'<fieldset class="item" data-item><legend>{legend}</legend>{inner}'
        f'<button type="submit" class="link-button remove" name="{REMOVE}" value="{escape(key)}" data-remove'
        f" formnovalidate>删除{escape(node.label)} {number if number else ''}</button></fieldset>"
    )


def _marker(node: Node) -> str:
    spec = node.spec
    required = spec.required if spec is not None else False
    if node.group and node.path:
        required = isinstance(node.schema.get("minItems"), int) and node.schema["minItems"] > 0
    return REQUIRED if required else ""


def _hint(key: str, schema: Mapping[str, Any]) -> str:
    text = schema.get("description")
    if not isinstance(text, str) or not text:
        return ""
    return f'<small class="hint" id="{field_id(key)}-hint">{escape(text)}</small>'


def _error(key: str, message: str) -> str:
    return f'<p class="error field-error" id="{field_id(key)}-error">{escape(message)}</p>' if message else ""


def _described(key: str, schema: Mapping[str, Any], error: str) -> str:
    ids = [f"{field_id(key)}-error"] if error else []
    if isinstance(schema.get("description"), str) and schema["description"]:
        ids.append(f"{field_id(key)}-hint")
    invalid = ' aria-invalid="true"' if error else ""
    return f' aria-describedby="{" ".join(ids)}"{invalid}' if ids else ""


def widget_of(schema: Mapping[str, Any]) -> str:
    """The field's ``x-ui.widget``, or the one its type implies."""
    ui = schema.get("x-ui")
    if isinstance(ui, dict) and isinstance(ui.get("widget"), str):
        return str(ui["widget"])
    kind, fmt = _type(schema), schema.get("format")
    if kind == "array":
        return "checkboxes"
    if kind == "boolean":
        return "radio"
    if "enum" in schema:
        return "select"
    if kind in ("integer", "number"):
        return "number"
    formats = {"date": "date", "email": "email", "phone": "phone", "uri": "url"}
    if isinstance(fmt, str) and fmt in formats:
        return formats[fmt]
    long = isinstance(schema.get("maxLength"), int) and schema["maxLength"] > 200
    return "textarea" if long else "text"


def _type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def options_of(schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(posted value, shown text) of a choice field; a yes/no question without ``enum`` offers 是/否."""
    source = schema.get("items") if _type(schema) == "array" else schema
    enum = source.get("enum") if isinstance(source, dict) else None
    if isinstance(enum, list):
        return [(encode(v), "是" if v is True else "否" if v is False else encode(v)) for v in enum]
    if _type(schema) == "boolean":
        return [("true", "是"), ("false", "否")]
    return []


# type, inputmode, autocomplete of the one-line inputs
_INPUTS: dict[str, tuple[str, str, str]] = {
    "text": ("text", "", ""),
    "date": ("date", "", ""),
    "email": ("email", "email", "email"),
    "phone": ("tel", "tel", "tel"),
    "url": ("url", "url", "url"),
}


def _field(node: Node, key: str, value: Any, error: str) -> str:
    schema = node.schema
    widget = widget_of(schema)
    ident = field_id(key)
    described = _described(key, schema, error)
    required = ' aria-required="true"' if node.spec is not None and node.spec.required else ""
    label = f"{escape(node.label)}{_marker(node)}"
    after = _hint(key, schema) + _error(key, error)
    if node.spec is not None and node.spec.identifying:
        after += '<small class="hint">匿名评审时不向评审专家展示此项</small>'
    if widget in ("radio", "checkboxes"):
        return _choices(widget, node, key, value, label, described, required, after)
    if widget == "checkbox":
        checked = " checked" if value is True else ""
        return (
            f'<div class="field checkbox-field"><input type="hidden" name="{escape(key)}" value="false">'
            f'<input type="checkbox" id="{ident}" name="{escape(key)}" value="true"{checked}{described}>'
            f'<label for="{ident}">{label}</label>{after}</div>'
        )
    head = f'<div class="field"><label for="{ident}">{label}</label>'
    common = f'id="{ident}" name="{escape(key)}"{described}{required}'
    placeholder = _ui(schema, "placeholder")
    if placeholder:
        common += f' placeholder="{escape(placeholder)}"'
    if widget == "select":
        current = encode(value) if value is not None else None
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v == current else ""}>{escape(t)}</option>'
            for v, t in options_of(schema)
        )
        return f'{head}<select {common}><option value="">请选择</option>{options}</select>{after}</div>'
    if widget == "textarea":
        rows = schema.get("x-ui", {}).get("rows", 5) if isinstance(schema.get("x-ui"), dict) else 5
        return f'{head}<textarea {common} rows="{int(rows)}">{escape(encode(value))}</textarea>{after}</div>'
    unit = _ui(schema, "unit") or ("元" if widget == "money" else "")
    if widget == "money":
        kind, mode, auto = "text", "decimal", "off"
        shown = f"{value:.2f}" if _type(schema) == "number" and isinstance(value, int | float) else encode(value)
    elif widget == "number":
        integer = _type(schema) == "integer"
        kind, mode, auto, shown = "number", "numeric" if integer else "decimal", "", encode(value)
        common += ' step="1"' if integer else ' step="any"'
    else:
        kind, mode, auto = _INPUTS.get(widget, _INPUTS["text"])
        shown = encode(value)
    common += f' inputmode="{mode}"' if mode else ""
    common += f' autocomplete="{auto}"' if auto else ""
    field = f'<input type="{kind}" {common} value="{escape(shown)}">'
    if unit:
        field = f'<span class="with-unit">{field}<span class="unit">{escape(unit)}</span></span>'
    return f"{head}{field}{after}</div>"


def _choices(
    widget: str, node: Node, key: str, value: Any, label: str, described: str, required: str, after: str
) -> str:
    chosen = {encode(v) for v in value} if isinstance(value, list) else {encode(value)} if value is not None else set()
    kind = "radio" if widget == "radio" else "checkbox"
    ident = field_id(key)
    boxes = "".join(
        f'<label class="choice"><input type="{kind}" name="{escape(key)}" value="{escape(v)}"'
        f"{' checked' if v in chosen else ''}> {escape(t)}</label>"
        for v, t in options_of(node.schema)
    )
    role = ' role="radiogroup"' if kind == "radio" else ""
    return (
        f'<fieldset class="field choices" id="{ident}"{role}{described}{required if kind == "radio" else ""}>'
        f"<legend>{label}</legend>{boxes}{after}</fieldset>"
    )


def _ui(schema: Mapping[str, Any], name: str) -> str:
    ui = schema.get("x-ui")
    hint = ui.get(name) if isinstance(ui, dict) else None
    return hint if isinstance(hint, str) else ""


# --- the no-JS add and remove buttons ----------------------------------------------------------------------------


def add_item(answers: dict[str, Any], group_key: str) -> dict[str, Any]:
    """``answers`` with one more (empty) item in the group ``group_key`` (``team``, ``stages.0.tasks``)."""
    parent, name = _container(answers, group_key.split("."))
    if isinstance(parent, dict):
        items = parent.get(name)
        parent[name] = [*(items if isinstance(items, list) else []), {}]
    return answers


def remove_item(pairs: Iterable[tuple[str, Any]], item_key: str) -> list[tuple[str, Any]]:
    """The posted ``pairs`` without the fields of the item ``item_key`` (``team.1``): removed before parsing, so the
    index is the one the page showed, whatever empty items parsing would drop."""
    inside = item_key + "."
    return [(key, value) for key, value in pairs if not key.startswith(inside)]


def _container(answers: Any, parts: Sequence[str]) -> tuple[Any, str]:
    node = answers
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None, ""
    return node, parts[-1] if parts else ""
