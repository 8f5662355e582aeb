"""Per-field validation errors → ``{field, code, message}`` with a zh-CN message that states the rule.

Classified by pydantic's error ``type`` (stable across pydantic releases), never by its English message text.
Litestar's ``ValidationException.extra`` keeps only that text, but it raises the exception ``from`` the error its
pydantic plugin built out of ``pydantic.ValidationError.errors()`` — which carries ``type``, ``loc`` and ``ctx``.
Parameters that Litestar validates itself (query strings, multipart fields) go through msgspec, which has no error
types; those few message shapes are matched in ``_msgspec_error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from litestar._signature.types import ExtendedMsgSpecValidationError
from litestar.exceptions import ValidationException

from app.reference import DISTRICT_NAMES_ZH

Ctx = Mapping[str, Any]


def _choices(ctx: Ctx) -> str:
    # pydantic's ctx["expected"] reads "'a', 'b' or 'c'"; list the codes plainly.
    expected = str(ctx.get("expected", ""))
    values = [v.strip().strip("'\"") for v in re.split(r",| or ", expected) if v.strip()]
    text = f"取值不在允许范围内，可选：{'、'.join(values)}" if values else "取值不在允许范围内"
    if values and set(values) <= {d.value for d in DISTRICT_NAMES_ZH}:
        text += "（也可填写中文区名，如“长宁区”）"
    return text


# type → message (a string, or a function of pydantic's ctx for rules with a limit)
MESSAGES: dict[str, str | Callable[[Ctx], str]] = {
    "missing": "此字段为必填项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_nul": "不能包含空字符 (U+0000)",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "int_parsing_size": "整数超出范围",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数字",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "list_type": "应为数组",
    "tuple_type": "应为数组",
    "set_type": "应为数组",
    "string_too_short": lambda c: f"至少 {c.get('min_length')} 个字符",
    "string_too_long": lambda c: f"最多 {c.get('max_length')} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": lambda c: f"至少 {c.get('min_length')} 项",
    "too_long": lambda c: f"最多 {c.get('max_length')} 项",
    "greater_than": lambda c: f"须大于 {c.get('gt')}",
    "greater_than_equal": lambda c: f"不能小于 {c.get('ge')}",
    "less_than": lambda c: f"须小于 {c.get('lt')}",
    "less_than_equal": lambda c: f"不能大于 {c.get('le')}",
    "multiple_of": lambda c: f"须为 {c.get('multiple_of')} 的倍数",
    "enum": _choices,
    "literal_error": _choices,
    "timezone_aware": "时间须带时区，例如 2026-03-01T09:00:00+08:00",
    "datetime_from_date_parsing": "日期时间格式不正确，例如 2026-03-01T09:00:00+08:00",
    "datetime_parsing": "日期时间格式不正确，例如 2026-03-01T09:00:00+08:00",
    "datetime_type": "应为日期时间，例如 2026-03-01T09:00:00+08:00",
    "date_from_datetime_parsing": "日期格式不正确，例如 2026-03-01",
    "date_from_datetime_inexact": "应为日期（不含时间），例如 2026-03-01",
    "date_parsing": "日期格式不正确，例如 2026-03-01",
    "date_type": "应为日期，例如 2026-03-01",
    "json_invalid": "JSON 格式不正确",
    "json_type": "应为 JSON 字符串",
    "union_tag_invalid": "类型标识不正确",
    "union_tag_not_found": "缺少类型标识",
}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def pydantic_error(error: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """One entry of ``pydantic.ValidationError.errors()`` → a problem field error."""
    code = str(error.get("type") or "invalid")
    ctx: Ctx = error.get("ctx") or {}
    loc = [str(part) for part in error.get("loc") or ()]
    field = ".".join([prefix, *loc] if prefix else loc) or prefix or "body"
    template = MESSAGES.get(code)
    if callable(template):
        message = template(ctx)
    elif template is not None:
        message = template
    else:
        # Our own validators (value_error, custom types) already write zh-CN; keep their words.
        text = str(error.get("msg") or "")
        text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        message = text if _has_chinese(text) else "取值无效"
    return {"field": field, "code": code, "message": message}


# msgspec's own messages (query parameters, multipart fields); msgspec offers no error codes.
_MSGSPEC: list[tuple[re.Pattern[str], str, Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Object missing required field `(?P<field>[^`]+)`"), "missing", lambda m: "此字段为必填项"),
    (re.compile(r"Expected `(?:int|float)` >= (?P<n>\S+)"), "greater_than_equal", lambda m: f"不能小于 {m['n']}"),
    (re.compile(r"Expected `(?:int|float)` <= (?P<n>\S+)"), "less_than_equal", lambda m: f"不能大于 {m['n']}"),
    (re.compile(r"Expected `(?:int|float)` > (?P<n>\S+)"), "greater_than", lambda m: f"须大于 {m['n']}"),
    (re.compile(r"Expected `(?:int|float)` < (?P<n>\S+)"), "less_than", lambda m: f"须小于 {m['n']}"),
    (re.compile(r"Expected `int`"), "int_type", lambda m: "应为整数"),
    (re.compile(r"Expected `bool`"), "bool_type", lambda m: "应为布尔值"),
    (re.compile(r"Invalid enum value"), "enum", lambda m: "取值不在允许范围内"),
    (re.compile(r"Expected `(?:str|UploadFile)`|UploadFile"), "file_type", lambda m: "应为上传的文件"),
]


def _msgspec_error(item: Mapping[str, Any]) -> dict[str, str]:
    key = str(item.get("key") or "")
    source = item.get("source")
    message = str(item.get("message") or "")
    for pattern, code, zh in _MSGSPEC:
        found = pattern.search(message)
        if found and not (key == "data" and code == "missing" and not found.groupdict().get("field")):
            named = found.groupdict().get("field")
            field = ".".join(p for p in (key, named) if p and p != "data") if named else key
            return {"field": field or (str(source) if source else "body"), "code": code, "message": zh(found)}
    if key == "data":
        # The body as a whole failed before pydantic saw it: Litestar found no body at all (an empty request).
        return {"field": "body", "code": "missing", "message": "缺少请求体"}
    return {"field": key or (str(source) if source else "body"), "code": "invalid", "message": "取值无效"}


def validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    cause = exc.__cause__
    if isinstance(cause, ExtendedMsgSpecValidationError):
        return [pydantic_error(error) for error in cause.errors]
    extra = exc.extra if isinstance(exc.extra, list) else []
    return [_msgspec_error(item) for item in extra if isinstance(item, dict)]
