"""Domain errors and the shape of their RFC 9457 ``application/problem+json`` body.

Every error carries a stable English ``code`` that clients may branch on, a zh-CN ``detail`` for people, and, for
input errors, ``errors[]`` naming each offending field. No web framework here, so pure modules (forms, eligibility,
payment plans) may raise these; the HTTP rendering is app/problems.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

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


# Database guards (a trigger raising ``check_violation`` with a named constraint) that mean "this is locked", not a
# bug: the API answers them as the registered DomainError (409) wherever the write came from. Rooms register theirs
# at import time (e.g. scoring.roadshow: the final's score sheets once its session ended).
GUARDED_CONSTRAINTS: dict[str, DomainError] = {}


def guarded_constraint(constraint: str, error: DomainError) -> None:
    GUARDED_CONSTRAINTS[constraint] = error
