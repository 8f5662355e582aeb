"""A posted form back into answers, exactly what a JSON client would send: ``team.0.name`` names nest, numbers and
money become numbers, checkboxes become lists, yes/no becomes ``true``/``false``, and an empty field is absent (as
is an item or section left wholly empty). A value that does not convert stays as typed, so the API's validator
(``programmes.forms``) names the problem in its own words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.portal.forms.render import widget_of
from app.portal.forms.tree import encode
from programmes.form_ui import ITEM, FieldSpec, Schema, form_outline


def parse_form(schema: Schema, pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """``pairs``: the posted (name, value) pairs in order (``FormMultiDict.multi_items()``); names the form does not
    declare (the CSRF token, buttons) are ignored."""
    specs = {spec.path: spec for spec in form_outline(schema)}
    posted: dict[str, list[str]] = {}
    for name, value in pairs:
        if isinstance(value, str):
            posted.setdefault(name, []).append(value)
    tree: dict[Any, Any] = {}
    for name, values in posted.items():
        parts = name.split(".")
        # Property names are never all digits (check_form_schema), so a digit segment is always an item index.
        spec = specs.get(tuple(ITEM if p.isdigit() else p for p in parts))
        if spec is None:
            continue
        value = _convert(spec, values)
        if value is not None:
            _put(tree, parts, value)
    answers = _finished(tree)
    return answers if isinstance(answers, dict) else {}


def _put(tree: dict[Any, Any], parts: list[str], value: Any) -> None:
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(int(part) if part.isdigit() else part, {})
    node[parts[-1]] = value


def _finished(node: Any) -> Any:
    """Index-keyed dicts become lists in index order (gaps left by removed items close up); empty items go."""
    if not isinstance(node, dict):
        return node
    kept = {key: sub for key, sub in ((k, _finished(v)) for k, v in node.items()) if sub not in (None, {}, [])}
    if kept and all(isinstance(key, int) for key in kept):
        return [kept[key] for key in sorted(kept)]
    return {key: value for key, value in kept.items() if not isinstance(key, int)} or None


def _convert(spec: FieldSpec, values: list[str]) -> Any:
    schema = spec.schema
    widget = widget_of(schema)
    if widget == "checkboxes" or _type(schema) == "array":
        items = schema.get("items")
        return [_typed(items if isinstance(items, dict) else {}, v) for v in values if v.strip()] or None
    raw = values[-1]  # a checkbox posts its hidden "false" first, then "true" when ticked
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        return None
    if widget == "money":
        text = text.replace(",", "").replace("，", "").removesuffix("元").strip()
    return _typed(schema, text)


def _typed(schema: Mapping[str, Any], text: str) -> Any:
    enum = schema.get("enum")
    if isinstance(enum, list):
        return next((v for v in enum if encode(v) == text), text)
    kind = _type(schema)
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("integer", "number"):
        return _number(text)
    return text


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text  # NaN and infinities are no JSON numbers
    return int(number) if number.is_integer() else number


def _type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None
