"""Reading a form schema the way people see it: ordered fields, zh-CN labels, identifying fields (flat spreadsheet
columns: ``programmes.form_columns``).

Conventions (``title`` = label, ``description`` = help, ``x-ui`` hints, repeatable groups, conditional fields,
``identifying``): docs/forms-and-eligibility.md. Local ``$ref``s (``#/...``) are followed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

XUI = "x-ui"
ITEM = "*"  # path segment standing for "every item of a repeatable group"
MAX_DEPTH = 32  # nesting of fields and $ref chains
MAX_FIELDS = 2000  # fields and groups in one form, counting each $ref use
WIDGETS = frozenset("text textarea number money select radio checkbox checkboxes date email phone url".split())
XUI_KEYS = frozenset({"order", "widget", "placeholder", "rows", "unit", "addLabel", "messages", "stageEditable"})
_BRANCHES = ("allOf", "anyOf", "oneOf")
_CONDITIONAL = ("then", "else")

Schema = dict[str, Any]


class FormDefinitionError(ValueError):
    """The schema cannot be read as a form (bad local reference, cycle, nesting too deep)."""


@dataclass(frozen=True)
class FieldSpec:
    """One answerable field, in display order. ``path`` uses ``*`` for the item of a repeatable group."""

    path: tuple[str, ...]
    labels: tuple[str, ...]  # one per path segment; "" for ``*``
    schema: Mapping[str, Any] = field(repr=False, compare=False)  # the field's own (merged) schema
    required: bool = False  # required whenever its parent is present (conditional requirements not included)
    identifying: bool = False  # the field or one of its groups is marked identifying

    @property
    def title(self) -> str:
        return self.labels[-1] if self.labels else ""

    @property
    def description(self) -> str:
        return str(self.schema.get("description", ""))

    @property
    def type(self) -> str | None:
        return _str_or_none(self.schema.get("type"))

    @property
    def ui(self) -> Mapping[str, Any]:
        """The field's ``x-ui`` hints (``widget``, ``placeholder``, ``rows``, ``unit``, ``addLabel``, ``messages``)."""
        return _dict(self.schema.get(XUI))

    @property
    def widget(self) -> str | None:
        return _str_or_none(self.ui.get("widget"))

    def key(self, *indices: int) -> str:
        """``team.0.name`` for ``(0,)``; indices fill the ``*`` segments in order."""
        return ".".join(fill(self.path, indices))

    def header(self, *indices: int) -> str:
        """``团队成员 1 · 姓名`` for ``(0,)`` — the xlsx column header."""
        return _render(self.labels, self.path, indices)


def resolve(root: Any, node: Any, seen: set[int] | None = None) -> Schema:
    """``node`` with local ``$ref``s followed (sibling keywords win over the target); ``{}`` for non-objects."""
    for _ in range(MAX_DEPTH):
        if not isinstance(node, dict):
            return {}
        if seen is not None:
            seen.add(id(node))
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node
        target = pointer(root, ref)
        if seen is not None:
            seen.add(id(target))
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    raise FormDefinitionError("$ref 引用链过长或存在循环")


def pointer(root: Any, ref: str) -> Any:
    """The target of a local JSON-pointer ``$ref`` (``#`` or ``#/...``)."""
    if ref != "#" and not ref.startswith("#/"):
        raise FormDefinitionError(f"只支持本表单内的引用（#/...），不支持 {ref}")
    node = root
    for raw in ref[2:].split("/") if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise FormDefinitionError(f"引用 {ref} 指向的定义不存在")
    return node


def _branches(root: Schema, node: Schema, seen: set[int] | None, depth: int = 0) -> Iterator[tuple[Schema, bool]]:
    """The node and its applicator branches, each with whether it always applies."""
    if depth > MAX_DEPTH:
        raise FormDefinitionError("表单条件分支嵌套过深或存在循环引用")
    yield node, True
    subs: list[tuple[Any, bool]] = [(s, key == "allOf") for key in _BRANCHES for s in _list(node.get(key))]
    subs += [(node.get(key), False) for key in _CONDITIONAL if key in node]
    subs += [(s, False) for s in _dict(node.get("dependentSchemas")).values()]
    for sub, always in subs:
        for branch, inner in _branches(root, resolve(root, sub), seen, depth + 1):
            yield branch, always and inner


def properties_of(root: Schema, decls: Sequence[Schema], seen: set[int] | None = None) -> dict[str, list[Schema]]:
    """Declared properties (name → its declarations), first declaration order first."""
    found: dict[str, list[Schema]] = {}
    for decl in decls:
        for branch, _ in _branches(root, decl, seen):
            for name, sub in _dict(branch.get("properties")).items():
                found.setdefault(name, []).append(resolve(root, sub, seen))
    return found


def items_of(root: Schema, decls: Sequence[Schema], seen: set[int] | None = None) -> list[Schema]:
    return [
        resolve(root, branch["items"], seen)
        for decl in decls
        for branch, _ in _branches(root, decl, seen)
        if isinstance(branch.get("items"), dict)
    ]


def merged(decls: Sequence[Schema]) -> Schema:
    """One view of a field declared several times; the first declaration wins."""
    view: Schema = {}
    for decl in reversed(decls):
        view.update(decl)
    return view


def required_names(root: Schema, decls: Sequence[Schema]) -> set[str]:
    return {
        str(name)
        for decl in decls
        for branch, always in _branches(root, decl, None)
        if always
        for name in _list(branch.get("required"))
    }


def ordered_names(view: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    names = list(names)
    order = [n for n in _list(_dict(view.get(XUI)).get("order")) if n in names]
    return [*dict.fromkeys(order), *(n for n in names if n not in order)]


def is_identifying(decls: Sequence[Schema]) -> bool:
    return any(decl.get("identifying") is True for decl in decls)


def title_of(decls: Sequence[Schema], name: str) -> str:
    title = merged(decls).get("title")
    return title if isinstance(title, str) and title.strip() else name


@dataclass(frozen=True)
class _Node:
    path: tuple[str, ...]
    labels: tuple[str, ...]
    decls: list[Schema]
    required: bool
    inherited: bool  # an enclosing group is identifying
    own: bool  # this field or group is marked identifying
    leaf: bool


def _walk(
    root: Schema,
    decls: list[Schema],
    path: tuple[str, ...] = (),
    labels: tuple[str, ...] = (),
    required: bool = False,
    inherited: bool = False,
    seen: set[int] | None = None,
) -> Iterator[_Node]:
    if len(path) > MAX_DEPTH:
        raise FormDefinitionError("表单嵌套层级过深或存在循环引用")
    props = properties_of(root, decls, seen)
    items = [] if props else items_of(root, decls, seen)
    is_group = bool(items) and bool(properties_of(root, items, seen))
    own = is_identifying(decls) or is_identifying(items)  # marking the items marks the whole array
    yield _Node(path, labels, decls, required, inherited, own, leaf=not props and not is_group)
    if props:
        needed = required_names(root, decls)
        for name in ordered_names(merged(decls), props):
            sub = props[name]
            yield from _walk(
                root, sub, (*path, name), (*labels, title_of(sub, name)), name in needed, inherited or own, seen
            )
    elif is_group:
        yield from _walk(root, items, (*path, ITEM), (*labels, ""), False, inherited or own, seen)


def form_outline(schema: Schema) -> list[FieldSpec]:
    """Every answerable field, depth first in display order; repeatable groups appear once with a ``*`` segment."""
    return [
        FieldSpec(n.path, n.labels, merged(n.decls), n.required, n.inherited or n.own)
        for n in _walk(schema, [schema])
        if n.leaf and n.path
    ]


def identifying_paths(schema: Schema) -> list[str]:
    """Outermost identifying fields or groups, e.g. ``["contact_person", "team.*.phone"]``."""
    return [".".join(n.path) for n in _walk(schema, [schema]) if n.own and not n.inherited and n.path]


def honoured_nodes(schema: Schema) -> set[int]:
    """ids of the schema objects the walkers read (``identifying`` anywhere else would be ignored)."""
    seen: set[int] = set()
    for count, _ in enumerate(_walk(schema, [schema], seen=seen)):
        if count > MAX_FIELDS:
            raise FormDefinitionError(f"表单字段过多（超过 {MAX_FIELDS} 个）")
    return seen


def field_label(schema: Schema, path: Sequence[str | int]) -> str:
    """The zh-CN label of a concrete answer path: ``("team", 1, "name")`` → ``团队成员 2 · 姓名``."""
    return " · ".join(_locate(schema, path)[0])


def field_schema(schema: Schema, path: Sequence[str | int]) -> Schema:
    """The (merged) declaration of the field at a concrete answer path; ``{}`` when the form does not declare it."""
    return merged(_locate(schema, path)[1])


def _locate(schema: Schema, path: Sequence[str | int]) -> tuple[list[str], list[Schema]]:
    labels: list[str] = []
    decls: list[Schema] = [schema]
    for segment in path:
        props = properties_of(schema, decls) if decls else {}
        if isinstance(segment, str) and segment in props:
            decls = props[segment]
            labels.append(title_of(decls, segment))
        elif isinstance(segment, int):
            decls = items_of(schema, decls) if decls else []
            labels[-1:] = [f"{labels[-1]} {segment + 1}"] if labels else [f"第{segment + 1}项"]
        else:
            decls = []
            labels.append(str(segment))
    return labels, decls


def declaration_problems(schema: Schema) -> list[str]:
    """Names used by ``required``/``dependentRequired``/``x-ui.order`` that the object does not declare."""
    problems: list[str] = []
    for node in _walk(schema, [schema]):
        props = properties_of(schema, node.decls)
        where = ".".join(node.path) or "表单顶层"
        used: list[Any] = []
        for decl in node.decls:
            for branch, _ in _branches(schema, decl, None):
                used += _list(branch.get("required"))
                for trigger, needs in _dict(branch.get("dependentRequired")).items():
                    used += [trigger, *_list(needs)]
            used += _list(_dict(decl.get(XUI)).get("order"))
        problems += [
            f"{where}：字段 {name} 未在 properties 中定义"
            for name in dict.fromkeys(map(str, used))
            if name not in props
        ]
    return problems


def strip_identifying(schema: Schema, answers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``answers`` for blind review: identifying fields removed at any depth, and so are keys the form does
    not declare (an object with no declared properties is kept as it is). The input is not modified."""
    stripped = _strip(schema, [schema], answers, 0)
    return dict(stripped) if isinstance(stripped, dict) else {}


def _strip(root: Schema, decls: list[Schema], value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    props = properties_of(root, decls)
    if props and isinstance(value, dict):
        return {
            key: _strip(root, props[key], sub, depth + 1)
            for key, sub in value.items()
            if key in props and not _hidden(root, props[key])
        }
    items = items_of(root, decls)
    if items and isinstance(value, list):
        return [_strip(root, items, sub, depth + 1) for sub in value]
    return value


def _hidden(root: Schema, decls: list[Schema]) -> bool:
    return is_identifying(decls) or is_identifying(items_of(root, decls))


def fill(path: Sequence[str], indices: Sequence[int]) -> list[str]:
    numbers = iter(indices)
    return [str(next(numbers, 0)) if part == ITEM else part for part in path]


def _render(labels: Sequence[str], path: Sequence[str], indices: Sequence[int]) -> str:
    parts: list[str] = []
    numbers = iter(indices)
    for label, part in zip(labels, path, strict=True):
        if part == ITEM:
            number = f"{next(numbers, 0) + 1}"
            parts[-1:] = [f"{parts[-1]} {number}"] if parts else [f"第{number}项"]
        else:
            parts.append(label)
    return " · ".join(parts)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
