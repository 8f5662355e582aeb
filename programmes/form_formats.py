"""The string formats a form may use (each one actually checked) and the validator class answers are checked with
(draft 2020-12, with ``uniqueItems`` in linear time). Pure: no database, web or queue."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from app.organisations.credit_code import normalise, problem_with

# --- formats: only these are accepted in a form, and every one of them is actually checked ----------------------

FORMAT_CHECKER = FormatChecker(formats=())
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_PHONE = re.compile(r"(\+?86)?1[3-9]\d{9}|0\d{2,3}\d{7,8}|[2-9]\d{7}|[48]00\d{7}")


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value) if not any(c.isspace() for c in value) else None
    return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)


FORMAT_TESTS: dict[str, Callable[[str], bool]] = {
    "email": lambda v: bool(_EMAIL.fullmatch(v)),
    "date": lambda v: bool(_DATE.fullmatch(v)) and _parses(date.fromisoformat, v),
    "date-time": lambda v: bool(_DATE_TIME.fullmatch(v)) and _parses(datetime.fromisoformat, v.upper()),
    "uri": _is_web_address,
    "phone": lambda v: bool(_PHONE.fullmatch(re.sub(r"[\s-]", "", v))),
    "credit-code": lambda v: problem_with(normalise(v)) is None,
}


def _string_check(test: Callable[[str], bool]) -> Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or test(value)


for _name, _test in FORMAT_TESTS.items():
    FORMAT_CHECKER.checks(_name)(_string_check(_test))

FORMATS_ZH = {
    "email": "应为有效的电子邮箱地址",
    "date": "应为有效日期，格式如 2025-03-01",
    "date-time": "应为带时区的日期时间，格式如 2025-03-01T09:00:00+08:00",
    "uri": "应为以 http:// 或 https:// 开头的网址",
    "phone": "应为有效的电话号码（11 位手机号或带区号的固定电话）",
    "credit-code": "应为有效的 18 位统一社会信用代码",
}

# --- uniqueItems in linear time ------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """JSON Schema equality as a hashable key: 1 == 1.0, true != 1, key order irrelevant."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # jsonschema compares unsortable items (objects) pairwise, which is quadratic in the array length.
    if unique and isinstance(instance, list):
        keys = [json.dumps(_canonical(item), sort_keys=True, ensure_ascii=False) for item in instance]
        if len(set(keys)) != len(keys):
            yield ValidationError("array has non-unique elements")


FormValidator = validators.extend(Draft202012Validator, {"uniqueItems": _unique_items})  # type: ignore[no-untyped-call]
