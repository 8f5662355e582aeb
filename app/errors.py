"""Domain errors and their RFC 9457 ``application/problem+json`` rendering.

Every error carries a stable English ``code`` that clients may branch on, a zh-CN ``detail`` for people, and, for
input errors, ``errors[]`` naming each offending field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemFieldError(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """The body of every error response (RFC 9457 problem details, plus ``code`` and ``errors``)."""

    type: str
    title: str
    status: int
    detail: str = Field(description="zh-CN, for people")
    code: str = Field(description="stable, English snake_case, for programs")
    errors: list[ProblemFieldError] = Field(default_factory=list, description="one entry per offending field")
    instance: str | None = None


@dataclass
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class DomainError(Exception):
    """Raised by services; the API turns it into problem+json, the admin into a form message."""

    code: str
    detail: str
    status: int = 400
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Retry-After on 429

    def __str__(self) -> str:
        return self.detail


def not_found(what_zh: str, code: str = "not_found") -> DomainError:
    # Objects outside the caller's scope are reported as missing, so their existence does not leak.
    return DomainError(code, f"{what_zh}不存在或无权访问", 404)


def forbidden(detail: str, code: str = "forbidden") -> DomainError:
    return DomainError(code, detail, 403)


def conflict(code: str, detail: str) -> DomainError:
    return DomainError(code, detail, 409)


def invalid(code: str, detail: str, field_name: str | None = None) -> DomainError:
    errors = [FieldError(field_name, code, detail)] if field_name else []
    return DomainError(code, detail, 422, errors)


TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

GENERIC = {
    400: ("bad_request", "请求格式不正确"),
    401: ("not_authenticated", "请先登录或令牌已过期"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("body_too_large", "请求内容过大"),
    429: ("too_many_requests", "请求过于频繁"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
}


def problem(
    status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None, instance: str = ""
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://seedbed.example/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
    }
    if instance:
        body["instance"] = instance
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


# Litestar hands over pydantic's English message text only, not its error type; the leading words identify the
# type. (type code, English prefix, zh-CN message) — more specific prefixes first.
PYDANTIC_MESSAGES: list[tuple[str, str, str]] = [
    ("missing", "Field required", "此字段为必填项"),
    ("extra_forbidden", "Extra inputs are not permitted", "不允许的字段"),
    ("string_type", "Input should be a valid string", "应为字符串"),
    ("int_from_float", "Input should be a valid integer, got a number with a fractional part", "应为整数，不能有小数"),
    ("int_parsing", "Input should be a valid integer, unable to parse", "应为整数"),
    ("int_type", "Input should be a valid integer", "应为整数"),
    ("bool_parsing", "Input should be a valid boolean, unable", "应为布尔值"),
    ("bool_type", "Input should be a valid boolean", "应为布尔值"),
    ("float_parsing", "Input should be a valid number, unable", "应为数字"),
    ("float_type", "Input should be a valid number", "应为数字"),
    ("dict_type", "Input should be a valid dictionary", "应为对象"),
    ("model_type", "Input should be a valid dictionary or instance", "应为对象"),
    ("list_type", "Input should be a valid list", "应为数组"),
    ("string_too_short", "String should have at least", "内容过短"),
    ("string_too_long", "String should have at most", "内容过长"),
    ("string_pattern_mismatch", "String should match pattern", "格式不正确"),
    ("greater_than_equal", "Input should be greater than or equal", "数值过小"),
    ("greater_than", "Input should be greater than ", "数值过小"),
    ("less_than_equal", "Input should be less than or equal", "数值过大"),
    ("less_than", "Input should be less than ", "数值过大"),
    ("timezone_aware", "Input should have timezone info", "时间须带时区，例如 2026-03-01T09:00:00+08:00"),
    ("datetime_from_date_parsing", "Input should be a valid datetime or date", "日期时间格式不正确"),
    ("datetime_parsing", "Input should be a valid datetime,", "日期时间格式不正确"),
    ("datetime_type", "Input should be a valid datetime", "应为日期时间"),
    ("date_from_datetime_parsing", "Input should be a valid date or datetime", "日期格式不正确"),
    ("date_parsing", "Input should be a valid date", "日期格式不正确"),
    ("too_short", "List should have at least", "条目过少"),
    ("too_long", "List should have at most", "条目过多"),
    ("json_invalid", "JSON is malformed", "JSON 格式不正确"),
    ("enum", "Input should be ", "取值不在允许范围内"),
    ("value_error", "Value error, ", ""),  # our own validators: the text after the prefix is already zh-CN
]


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "")
        source = item.get("source")
        message = str(item.get("message") or "")
        code = "invalid"
        for pydantic_type, prefix, zh in PYDANTIC_MESSAGES:
            if message.startswith(prefix):
                code, message = pydantic_type, zh or message[len(prefix) :]
                break
        errors.append({"field": key or (str(source) if source else "body"), "code": code, "message": message})
    return errors


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    response = problem(exc.status, exc.code, exc.detail, [e.as_dict() for e in exc.errors], request.url.path)
    response.headers.update(exc.headers)
    return response


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = _validation_errors(exc)
    if not errors:
        # Unparseable JSON or a body of the wrong shape.
        errors = [{"field": "body", "code": "json_invalid", "message": "请求体不是有效的 JSON 对象"}]
    return problem(422, "validation_failed", "提交的数据未通过校验", errors, request.url.path)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException):
        status = 401
    elif isinstance(exc, PermissionDeniedException):
        status = 403
    elif isinstance(exc, NotFoundException):
        status = 404
    code, detail = GENERIC.get(status, ("http_error", "请求无法处理"))
    if status == 400 and "size" in str(exc.detail).lower():
        status, (code, detail) = 413, GENERIC[413]
    response = problem(status, code, detail, None, request.url.path)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", exc_info=exc)
    code, detail = GENERIC[500]
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, code, detail, None, request.url.path)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
