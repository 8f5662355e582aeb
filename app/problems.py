"""Errors as HTTP responses: RFC 9457 ``application/problem+json`` for every failure (app/errors.py has the shape).

Domain errors, validation failures, Litestar's HTTP exceptions and anything unhandled all leave through
``EXCEPTION_HANDLERS`` with a stable ``code`` and a zh-CN ``detail``.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import CheckViolationError, UniqueViolationError
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

from app.errors import GENERIC, GUARDED_CONSTRAINTS, PROBLEM_JSON, TITLES, DomainError
from app.validation_messages import validation_errors

log = logging.getLogger(__name__)


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


def guarded_constraint_handler(
    request: Request[Any, Any, Any], exc: CheckViolationError | UniqueViolationError
) -> Response[dict[str, Any]]:
    """A database guard registered with ``app.errors.guarded_constraint`` (a lock or a one-only index, not a bug)
    as its 409; any other violation is a bug (500)."""
    known = GUARDED_CONSTRAINTS.get(getattr(exc, "constraint_name", None) or "")
    if known is None:
        return internal_error_handler(request, exc)
    return domain_error_handler(request, known)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    CheckViolationError: guarded_constraint_handler,
    UniqueViolationError: guarded_constraint_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
