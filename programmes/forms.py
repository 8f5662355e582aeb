"""Application forms are JSON Schema (draft 2020-12); answers are validated server-side with zh-CN messages.

Conventions, refusals and the error format: docs/forms-and-eligibility.md. The accepted string formats and the
validator class: ``programmes.form_formats``; reading forms for display (outline, labels, identifying fields):
``programmes.form_ui``; flattening answers for exports: ``programmes.form_columns``. All pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable

from app.errors import DomainError, FieldError
from programmes.form_formats import FORMAT_CHECKER, FORMATS_ZH, FormValidator
from programmes.form_ui import (
    ITEM,
    WIDGETS,
    XUI,
    XUI_KEYS,
    FormDefinitionError,
    declaration_problems,
    field_label,
    field_schema,
    form_outline,
    honoured_nodes,
    pointer,
    properties_of,
)

MAX_ERRORS = 100
MAX_ANSWER_DEPTH = 64  # nesting of the answers document; deeper data is refused before validation
MAX_ANSWER_ITEMS = 1000  # items in any one array (uniqueItems on objects is quadratic); more is refused likewise
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# --- messages ------------------------------------------------------------------------------------------------------

TYPES_ZH = {
    "string": "字符串",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值",
    "object": "对象",
    "array": "数组",
    "null": "空值",
}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _choices(values: Any) -> str:
    shown = [_show(v) for v in values[:10]] if isinstance(values, list) else []
    return "、".join(shown) + ("等" if isinstance(values, list) and len(values) > 10 else "")


def _type_message(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else expected if isinstance(expected, list) else []
    return "应为" + "或".join(TYPES_ZH.get(str(n), str(n)) for n in names)


def _length(error: ValidationError) -> int:
    return len(error.instance) if isinstance(error.instance, str | list | dict) else 0


MESSAGES_ZH: dict[str, Callable[[Any, ValidationError], str]] = {
    "required": lambda v, e: "此项为必填项",
    "type": lambda v, e: _type_message(v),
    "minLength": lambda v, e: f"至少填写 {v} 个字",
    "maxLength": lambda v, e: f"最多填写 {v} 个字（当前 {_length(e)} 个）",
    "minimum": lambda v, e: f"不能小于 {_show(v)}",
    "maximum": lambda v, e: f"不能大于 {_show(v)}",
    "exclusiveMinimum": lambda v, e: f"必须大于 {_show(v)}",
    "exclusiveMaximum": lambda v, e: f"必须小于 {_show(v)}",
    "multipleOf": lambda v, e: f"必须是 {_show(v)} 的整数倍",
    "enum": lambda v, e: f"须为以下选项之一：{_choices(v)}",
    "const": lambda v, e: f"须为 {_show(v)}",
    "pattern": lambda v, e: "格式不正确",
    "format": lambda v, e: FORMATS_ZH.get(str(v), "格式不正确"),
    "minItems": lambda v, e: f"至少填写 {v} 项",
    "maxItems": lambda v, e: f"最多填写 {v} 项（当前 {_length(e)} 项）",
    "uniqueItems": lambda v, e: "各项不能重复",
    "items": lambda v, e: "条目过多",
    "unevaluatedItems": lambda v, e: "包含表单未定义的条目",
    "contains": lambda v, e: "至少应有一项符合要求",
    "minContains": lambda v, e: f"至少应有 {v} 项符合要求",
    "maxContains": lambda v, e: f"最多只能有 {v} 项符合要求",
    "minProperties": lambda v, e: f"至少填写 {v} 项",
    "maxProperties": lambda v, e: f"最多填写 {v} 项",
    "additionalProperties": lambda v, e: "不是表单中的字段",
    "unevaluatedProperties": lambda v, e: "不是表单中的字段",
    "propertyNames": lambda v, e: f"字段名“{e.instance}”不符合要求",
    "dependentRequired": lambda v, e: "此项为必填项",
    "anyOf": lambda v, e: "不符合任何一种允许的填写方式",
    "oneOf": lambda v, e: "须且只能符合其中一种填写方式",
    "not": lambda v, e: "该取值不被允许",
    "false": lambda v, e: "此项不允许填写",
}

# --- checking a form definition ------------------------------------------------------------------------------------

_ONE: tuple[str, ...] = ("items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "contains")
_ONE += ("propertyNames", "not", "if", "then", "else")
_MANY = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def _invalid(problems: list[str]) -> DomainError:
    errors = [FieldError("form_schema", "form_schema_invalid", p) for p in problems[:20]]
    return DomainError("form_schema_invalid", f"表单定义有误：{problems[0]}", 422, errors)


def check_form_schema(schema: dict[str, Any]) -> None:
    """Officers upload forms; refuse a schema that is not valid draft 2020-12, not an object form, or that breaks
    the form conventions (remote ``$ref``, unknown ``format``, non-boolean or ineffective ``identifying``, bad
    ``x-ui``, required/ordered names that are not declared, recursion)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise _invalid([f"不是有效的 JSON Schema：{exc.message}"]) from exc
    except RecursionError as exc:
        raise _invalid(["表单定义嵌套过深"]) from exc
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise _invalid(["表单定义的顶层必须是 object"])
    try:
        nodes = list(_schema_nodes(schema, schema, "", set()))
        problems = [p for loc, node in nodes for p in _node_problems(loc, node)]
        if not problems:  # the walks below follow $refs, so references must be sound first
            honoured = honoured_nodes(schema)
            problems = [
                f"{loc or '/'}：identifying 只能标在字段或重复组条目上，此处不会生效"
                for loc, node in nodes
                if node.get("identifying") is True and id(node) not in honoured
            ]
            problems += declaration_problems(schema)
    except FormDefinitionError as exc:
        problems = [str(exc)]
    except RecursionError:
        problems = ["表单定义嵌套过深"]
    if problems:
        raise _invalid(list(dict.fromkeys(problems)))


def _schema_nodes(root: dict[str, Any], node: Any, loc: str, seen: set[int]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema (by its location), following local ``$ref``s once each."""
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    yield loc, node
    subs = [(f"{loc}/{k}", node[k]) for k in _ONE if k in node]
    subs += [(f"{loc}/{k}/{n}", s) for k in _MANY if isinstance(node.get(k), dict) for n, s in node[k].items()]
    subs += [(f"{loc}/{k}/{i}", s) for k in _LISTS if isinstance(node.get(k), list) for i, s in enumerate(node[k])]
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        subs.append((ref[1:], pointer(root, ref)))
    for sub_loc, sub in subs:
        yield from _schema_nodes(root, sub, sub_loc, seen)


def _node_problems(loc: str, node: dict[str, Any]) -> Iterator[str]:
    where = loc or "/"
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        yield f"{where}：不允许引用外部定义 {ref}（表单不会联网获取引用），请把定义放进 $defs"
    for keyword in ("$dynamicRef", "$recursiveRef"):
        if keyword in node:
            yield f"{where}：不支持 {keyword}"
    if "$id" in node and loc:
        yield f"{where}：$id 只能出现在表单顶层"
    if "$schema" in node and node["$schema"] != DRAFT_2020_12:
        yield f"{where}：$schema 必须是 {DRAFT_2020_12}"
    if "identifying" in node and not isinstance(node["identifying"], bool):
        yield f"{where}：identifying 必须是 true 或 false"
    for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else ():
        if "." in name or name == ITEM or name.isdigit() or not name.strip():
            yield f"{where}：字段名“{name}”不可用（不能为空、纯数字、“*”或含“.”，它们用于答案路径）"
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in FORMATS_ZH:
        yield f"{where}：不支持的格式 {fmt}，可用：{'、'.join(FORMATS_ZH)}"
    if XUI in node:
        yield from (f"{where}：{p}" for p in _ui_problems(node[XUI]))


def _ui_problems(ui: Any) -> Iterator[str]:
    if not isinstance(ui, dict):
        yield f"{XUI} 必须是对象"
        return
    for key in sorted(set(ui) - XUI_KEYS):
        yield f"{XUI} 不支持 {key}，可用：{'、'.join(sorted(XUI_KEYS))}"
    if "widget" in ui and ui["widget"] not in WIDGETS:
        yield f"{XUI}.widget 不支持 {ui['widget']}，可用：{'、'.join(sorted(WIDGETS))}"
    if "order" in ui and not (isinstance(ui["order"], list) and all(isinstance(n, str) for n in ui["order"])):
        yield f"{XUI}.order 必须是字段名列表"
    for key in ("placeholder", "unit", "addLabel"):
        if key in ui and not isinstance(ui[key], str):
            yield f"{XUI}.{key} 必须是文字"
    if "stageEditable" in ui and not isinstance(ui["stageEditable"], bool):
        yield f"{XUI}.stageEditable 必须是 true 或 false"
    if "rows" in ui and not (type(ui["rows"]) is int and 1 <= ui["rows"] <= 50):
        yield f"{XUI}.rows 必须是 1 到 50 的整数"
    messages = ui.get("messages", {})
    if not (isinstance(messages, dict) and all(isinstance(m, str) for m in messages.values())):
        yield f"{XUI}.messages 必须是 {{关键字: 提示文字}}"


# --- validating answers --------------------------------------------------------------------------------------------


def answer_errors(schema: dict[str, Any], answers: dict[str, Any]) -> list[FieldError]:
    """Every problem with ``answers`` (in form order), at most ``MAX_ERRORS`` plus a final ``form_too_many_errors``."""
    shape = _shape_error(schema, answers)
    if shape is not None:
        return [shape]
    validator = FormValidator(schema, format_checker=FORMAT_CHECKER, registry=Registry())
    try:
        raw = list(islice(validator.iter_errors(answers), MAX_ERRORS + 1))
        found = {(e.field, e.code): e for error in raw for e in _field_errors(schema, answers, error)}
        position = {spec.path: index for index, spec in enumerate(form_outline(schema))}
    except (Unresolvable, FormDefinitionError) as exc:  # a form stored before check_form_schema refused it
        raise _invalid(["表单定义中的引用无法解析或存在循环，请联系项目官员"]) from exc
    errors = sorted(found.values(), key=lambda e: _sort_key(position, e))
    if len(raw) > MAX_ERRORS or len(errors) > MAX_ERRORS:
        errors = errors[:MAX_ERRORS]
        errors.append(FieldError("answers", "form_too_many_errors", f"错误较多，仅列出前 {MAX_ERRORS} 项"))
    return errors


def validate_answers(schema: dict[str, Any], answers: dict[str, Any]) -> None:
    errors = answer_errors(schema, answers)
    if errors:
        raise DomainError("form_answers_invalid", "申报表填写不完整或有误，请按提示修改", 422, errors)


def _field_errors(root: dict[str, Any], answers: Any, error: ValidationError) -> list[FieldError]:
    path: list[str | int] = list(error.absolute_path)
    keyword = error.validator if isinstance(error.validator, str) else "false"
    instance = error.instance
    if keyword == "false":
        return [_field_error(root, error, [*path, *more], keyword) for more in _false_fields(root, answers, error)]
    if _under_property_names(list(error.absolute_schema_path)):
        keyword = "propertyNames"  # jsonschema reports the inner keyword, about the name rather than a value
    if keyword == "required" and isinstance(instance, dict):
        # jsonschema reports missing properties on their parent; name each missing property instead.
        missing = [str(n) for n in _names(error.validator_value) if n not in instance]
        return [_field_error(root, error, [*path, name], keyword) for name in missing]
    if keyword == "dependentRequired" and isinstance(instance, dict) and isinstance(error.validator_value, dict):
        return [
            _field_error(root, error, [*path, need], keyword, f"填写「{field_label(root, [*path, trigger])}」后")
            for trigger, needs in error.validator_value.items()
            if trigger in instance
            for need in _names(needs)
            if need not in instance
        ]
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        node = error.schema if isinstance(error.schema, dict) else {}
        declared = set(node.get("properties", {})) if keyword == "additionalProperties" else set()
        declared |= set(properties_of(root, [node])) if keyword == "unevaluatedProperties" else set()
        patterns = [re.compile(p) for p in node.get("patternProperties", {})]
        extras = [k for k in instance if k not in declared and not any(p.search(k) for p in patterns)]
        if extras:
            return [_field_error(root, error, [*path, extra], keyword) for extra in extras]
    return [_field_error(root, error, path, keyword)]


def _field_error(
    root: dict[str, Any], error: ValidationError, path: list[str | int], keyword: str, prefix: str = ""
) -> FieldError:
    custom = {**_custom_messages(field_schema(root, path)), **_custom_messages(error.schema)}
    reason = custom.get(keyword) or prefix + _reason(keyword, error)
    label = field_label(root, path)
    message = f"{label}：{reason}" if label else reason
    return FieldError("answers" + "".join(f".{part}" for part in path), f"form_{keyword}", message)


def _reason(keyword: str, error: ValidationError) -> str:
    describe = MESSAGES_ZH.get(keyword)
    return describe(error.validator_value, error) if describe else "填写不正确"


def _custom_messages(schema: Any) -> dict[str, str]:
    ui = schema.get(XUI) if isinstance(schema, dict) else None
    messages = ui.get("messages") if isinstance(ui, dict) else None
    return {str(k): str(v) for k, v in messages.items()} if isinstance(messages, dict) else {}


def _false_fields(root: dict[str, Any], answers: Any, error: ValidationError) -> list[list[str | int]]:
    """jsonschema drops the last path segment of a ``false`` subschema's error; find which field(s) it was."""
    parent: Any = answers
    for part in error.absolute_path:
        if isinstance(parent, dict):
            parent = parent.get(part)
        else:
            parent = parent[part] if isinstance(parent, list) and isinstance(part, int) else None
    container: Any = root
    for part in error.absolute_schema_path:  # (not through $ref, which the schema path omits; then we guess)
        if isinstance(container, dict):
            container = container.get(part)
        else:
            container = container[part] if isinstance(container, list) and isinstance(part, int) else None
    last = error.absolute_schema_path[-1] if error.absolute_schema_path else None
    if last == "properties" and isinstance(container, dict) and isinstance(parent, dict):
        return [[name] for name, sub in container.items() if sub is False and name in parent] or [[]]
    if last == "prefixItems" and isinstance(container, list) and isinstance(parent, list):
        return [[i] for i, sub in enumerate(container[: len(parent)]) if sub is False] or [[]]
    named = [k for k, v in parent.items() if v is error.instance] if isinstance(parent, dict) else []
    return [[named[0]]] if len(named) == 1 else [[]]


def _under_property_names(schema_path: list[Any]) -> bool:
    containers = ("properties", "patternProperties", "dependentSchemas", "$defs")
    return any(
        part == "propertyNames" and (i == 0 or schema_path[i - 1] not in containers)
        for i, part in enumerate(schema_path)
    )


def _shape_error(root: dict[str, Any], answers: Any) -> FieldError | None:
    """Answers too deep or with too long an array are refused before validation (bounded time and memory)."""
    stack: list[tuple[Any, list[str | int]]] = [(answers, [])]
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_ANSWER_DEPTH:
            return FieldError("answers", "form_too_deep", f"填写内容嵌套超过 {MAX_ANSWER_DEPTH} 层，请检查提交的数据")
        if isinstance(node, list) and len(node) > MAX_ANSWER_ITEMS:
            where = "answers" + "".join(f".{part}" for part in path)
            label = field_label(root, path) or "填写内容"
            return FieldError(where, "form_too_many_items", f"{label}：最多 {MAX_ANSWER_ITEMS} 项")
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((child, [*path, key]) for key, child in children if isinstance(child, dict | list))
    return None


def _names(value: Any) -> list[str]:
    return [str(n) for n in value] if isinstance(value, list) else []


def _sort_key(position: dict[tuple[str, ...], int], error: FieldError) -> tuple[int, list[int], str]:
    parts = error.field.split(".")[1:]
    pattern = tuple(ITEM if p.isdigit() else p for p in parts)
    where = min((i for path, i in position.items() if path[: len(pattern)] == pattern), default=len(position))
    return where, [int(p) for p in parts if p.isdigit()], error.code
