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

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


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


PYDANTIC_MESSAGES_ZH = {
    "missing": "此字段为必填项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "JSON 格式不正确",
    "model_type": "应为对象",
    "value_error": "取值不正确",
    "too_short": "条目过少",
    "too_long": "条目过多",
}


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
        # Litestar passes pydantic's loc via key and the text via message; the type is our best stable code.
        for pydantic_type, zh in PYDANTIC_MESSAGES_ZH.items():
            if _message_matches(pydantic_type, message):
                code, message = pydantic_type, zh
                break
        errors.append({"field": key or (str(source) if source else "body"), "code": code, "message": message})
    return errors


_ENGLISH_HINTS = {
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "string_type": "Input should be a valid string",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable",
    "dict_type": "Input should be a valid dictionary",
    "list_type": "Input should be a valid list",
    "string_too_short": "String should have at least",
    "string_too_long": "String should have at most",
    "greater_than": "Input should be greater than ",
    "greater_than_equal": "Input should be greater than or equal",
    "less_than": "Input should be less than ",
    "less_than_equal": "Input should be less than or equal",
    "datetime_type": "Input should be a valid datetime",
    "datetime_parsing": "Input should be a valid datetime,",
    "datetime_from_date_parsing": "Input should be a valid datetime or date",
    "date_parsing": "Input should be a valid date",
    "date_from_datetime_parsing": "Input should be a valid date or datetime",
    "enum": "Input should be ",
    "literal_error": "Input should be ",
    "json_invalid": "JSON is malformed",
    "model_type": "Input should be a valid dictionary or instance",
    "value_error": "Value error",
    "too_short": "List should have at least",
    "too_long": "List should have at most",
}


def _message_matches(pydantic_type: str, message: str) -> bool:
    hint = _ENGLISH_HINTS.get(pydantic_type)
    return bool(hint) and message.startswith(hint or "")


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return problem(exc.status, exc.code, exc.detail, [e.as_dict() for e in exc.errors], request.url.path)


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
