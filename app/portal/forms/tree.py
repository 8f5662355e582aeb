"""A form's outline (``form_ui.form_outline``) regrouped as the page shows it: nested objects as framed sections,
repeatable groups with their items, fields with the condition (``if``/``then``/``else``) that shows them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from programmes.form_ui import ITEM, FieldSpec, Schema, field_schema, form_outline


@dataclass(frozen=True)
class Condition:
    """Show the field when the sibling ``name`` has one of ``values`` (as posted), or none of them (``negate``)."""

    name: str
    values: tuple[str, ...]
    negate: bool = False


@dataclass
class Node:
    """A field (``spec`` set), a nested object, or a repeatable group (``group``); ``path`` as in the outline."""

    name: str
    label: str
    path: tuple[str, ...]
    spec: FieldSpec | None = None
    group: bool = False
    schema: Mapping[str, Any] = field(default_factory=dict)
    condition: Condition | None = None
    children: list[Node] = field(default_factory=list)


def encode(value: Any) -> str:
    """A JSON value as a form posts it: what option values and conditions compare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def form_tree(schema: Schema) -> list[Node]:
    """The top-level nodes, in display order (the outline's depth-first order)."""
    root = Node("", "", ())
    index: dict[tuple[str, ...], Node] = {(): root}
    conditions: dict[tuple[str, ...], dict[str, Condition]] = {}
    for spec in form_outline(schema):
        parent = root
        position = 0
        while position < len(spec.path):
            name = spec.path[position]
            is_group = position + 1 < len(spec.path) and spec.path[position + 1] == ITEM
            end = position + (2 if is_group else 1)
            key = spec.path[:end]
            node = index.get(key)
            if node is None:
                leaf = end == len(spec.path)
                concrete = [0 if part == ITEM else part for part in spec.path[: position + 1]]
                node = Node(
                    name,
                    spec.labels[position],
                    spec.path[: position + 1],
                    spec=spec if leaf else None,
                    group=is_group,
                    schema=spec.schema if leaf else field_schema(schema, concrete),
                    condition=_cached(conditions, schema, parent).get(name),
                )
                index[key] = node
                parent.children.append(node)
            parent = node
            position = end
    return root.children


def _cached(cache: dict[tuple[str, ...], dict[str, Condition]], root: Schema, parent: Node) -> dict[str, Condition]:
    if parent.path not in cache:
        cache[parent.path] = _conditions(root, parent)
    return cache[parent.path]


def _conditions(root: Schema, parent: Node) -> dict[str, Condition]:
    """Which fields of ``parent``'s object an ``if``/``then``/``else`` (also inside ``allOf``) shows or hides, for the
    common case of an ``if`` on one sibling's ``const``/``enum``; other conditions leave every field visible."""
    if parent.path:
        object_path = [0 if part == ITEM else part for part in parent.path] + ([0] if parent.group else [])
        declared: Mapping[str, Any] = field_schema(root, object_path)
    else:
        declared = root
    found: dict[str, Condition] = {}
    branches = [declared, *(b for b in declared.get("allOf", []) if isinstance(b, dict))]
    for branch in branches:
        test = branch.get("if")
        props = test.get("properties") if isinstance(test, dict) else None
        if not isinstance(props, dict) or len(props) != 1:
            continue
        [(trigger, rule)] = props.items()
        values = [rule["const"]] if isinstance(rule, dict) and "const" in rule else None
        if values is None and isinstance(rule, dict) and isinstance(rule.get("enum"), list):
            values = rule["enum"]
        if values is None:
            continue
        shown = tuple(encode(v) for v in values)
        for keyword, negate in (("then", False), ("else", True)):
            outcome = branch.get(keyword)
            if not isinstance(outcome, dict):
                continue
            declared_here = outcome.get("properties")
            refined: dict[str, Any] = declared_here if isinstance(declared_here, dict) else {}
            needed = outcome.get("required")
            names = [*(n for n in (needed if isinstance(needed, list) else []) if isinstance(n, str)), *refined]
            for name in names:
                forbidden = refined.get(name) is False  # "properties": {"x": false}: the branch forbids it
                if name != trigger:
                    found.setdefault(name, Condition(trigger, shown, negate != forbidden))
    return found
