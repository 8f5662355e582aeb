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

from app.validation_messages import validation_errors

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemFieldError(BaseModel):
    field: str
    code: str
    message: str
    # Optional machine-readable facts of the error (e.g. assignment_infeasible: application_id, needed, eligible).
    details: dict[str, Any] | None = None


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
    details: dict[str, Any] | None = None  # machine-readable facts; only present in the body when set

    def as_dict(self) -> dict[str, Any]:
        base: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        return {**base, "details": self.details} if self.details is not None else base


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
    status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None, instance: str = ""
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


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    response = problem(exc.status, exc.code, exc.detail, [e.as_dict() for e in exc.errors], request.url.path)
    response.headers.update(exc.headers)
    return response


def _required_body_fields(request: Request[Any, Any, Any]) -> list[str]:
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    model = getattr(parameter, "annotation", None)
    fields = getattr(model, "model_fields", {})
    return [name for name, info in fields.items() if info.is_required()]


def _body_needed(request: Request[Any, Any, Any]) -> str:
    required = _required_body_fields(request)
    if required:
        return f"缺少请求体：须提交 JSON 对象，必填字段：{'、'.join(required)}"
    return "缺少请求体：须提交 JSON 对象（字段见接口文档）"


def _body_field(request: Request[Any, Any, Any]) -> dict[str, str]:
    required = _required_body_fields(request)
    message = f"必填字段：{'、'.join(required)}" if required else "须提交 JSON 对象"
    return {"field": "body", "code": "body_required", "message": message}


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = validation_errors(exc)
    if any(e["field"] in ("data", "body") and e["code"] == "missing" for e in errors):
        return problem(422, "body_required", _body_needed(request), [_body_field(request)], request.url.path)
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
