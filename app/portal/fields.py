"""What every portal form shares: field values read from a posted form, and errors keyed by field in the API's own
zh-CN wording (``app.validation_messages``), so a page's message is the message the API would return."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from app.errors import DomainError
from app.paging import Paging
from app.validation_messages import pydantic_error

FieldErrors = dict[str, str]  # field name → message; "" for a message that belongs to no one field


def pydantic_errors(exc: ValidationError, fields: Iterable[str]) -> FieldErrors:
    known = set(fields)
    errors: FieldErrors = {}
    for item in exc.errors():
        entry = pydantic_error(item)
        errors.setdefault(entry["field"] if entry["field"] in known else "", entry["message"])
    return errors


def domain_errors(error: DomainError, fields: Iterable[str]) -> FieldErrors:
    known = set(fields)
    errors = {e.field: e.message for e in error.errors if e.field in known}
    return errors or {"": error.detail}


def form_values(form: Mapping[str, Any], fields: Iterable[str]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in fields}


def next_offset(paging: Paging, has_more: bool) -> int | None:
    """Where a list's 「更多」 link starts, or None on the last page."""
    return paging.offset + paging.limit if has_more else None
