"""Checks a round's settings must pass, the same on creation (``create_round``) and on every later change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.errors import DomainError, FieldError
from programmes.catalogue.schemas import CriterionIn


def check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        message = "截止时间必须晚于开放时间"
        raise DomainError(
            "round_window_invalid", message, 422, [FieldError("closes_at", "round_window_invalid", message)]
        )


def check_attachment_limits(per_file: int, per_application: int) -> None:
    """Both limits in the same unit (MB in a request, bytes on a stored round)."""
    if per_file > per_application:
        message = "单个附件上限不能大于每个申报的附件总上限"
        raise DomainError(
            "attachment_limits_invalid",
            message,
            422,
            [FieldError("max_attachment_mb", "attachment_limits_invalid", message)],
        )


def check_criteria(criteria: Sequence[CriterionIn]) -> None:
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        message = "评分标准的代码不能重复"
        raise DomainError("criteria_duplicate", message, 422, [FieldError("criteria", "criteria_duplicate", message)])
