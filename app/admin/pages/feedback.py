"""What a refused action on a page answers: a Chinese message per field (shown next to it, ``role=alert``) and what
the officer typed, so the page is drawn again unchanged around the message. Shared by the 公示 / 晋级 page modules,
whose action handlers return either a done code (the page redirects) or a ``Refusal`` (the page is drawn again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from app.admin.pages.html import esc
from app.errors import DomainError
from app.validation_messages import pydantic_error

TOP = "top"  # the field id of a message that belongs to no one field (shown at the top of the page)


@dataclass(frozen=True)
class Refusal:
    errors: dict[str, str]  # field id → zh-CN message
    typed: dict[str, str] = field(default_factory=dict)  # field id → what the officer typed
    status: int = 422


Outcome = str | Refusal  # a done code, or why nothing changed


def refused(field_id: str, exc: DomainError, typed: dict[str, str] | None = None, *, hint: str = "") -> Refusal:
    """The service's refusal next to ``field_id``, then its per-field details (e.g. which reviews are missing) or,
    instead of them, ``hint`` (where on the page to act, when the details would only name ids). A 404 is not a
    refusal but the uniform out-of-scope page, so it is raised again."""
    if exc.status == 404:
        raise exc
    details = [hint] if hint else [e.message for e in exc.errors if e.message and e.message != exc.detail]
    message = exc.detail + (f"：{'；'.join(details)}" if details else "")
    return Refusal({field_id: message}, typed or {}, exc.status)


def invalid(exc: ValidationError, ids: dict[str, str], typed: dict[str, str], fallback: str) -> Refusal:
    """The API model's errors in the API's Chinese words; ``ids`` maps a pydantic location (``"days"``,
    ``"track_quotas.0.quota"``) to the field it is shown next to, anything else goes next to ``fallback``."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        entry = pydantic_error(error)
        target = ids.get(entry["field"], fallback)
        errors[target] = "；".join(filter(None, [errors.get(target, ""), entry["message"]]))
    return Refusal(errors, typed)


def error_of(refusal: Refusal | None, field_id: str) -> tuple[str, str]:
    """``(attributes for the input, the message paragraph)`` of one field; empty strings when it is fine."""
    message = refusal.errors.get(field_id, "") if refusal else ""
    if not message:
        return "", ""
    return (
        f' aria-describedby="{field_id}-error" aria-invalid="true"',
        f'<p class="error" id="{field_id}-error" role="alert">{esc(message)}</p>',
    )


def typed_of(refusal: Refusal | None, field_id: str, default: str = "") -> str:
    return refusal.typed.get(field_id, default) if refusal else default


def form_int(text: str) -> int | str | None:
    """A number typed into a form, for the API's exact-integer fields: digits → int, blank → None, anything else
    as typed (so the API's model says what is wrong with it)."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) <= 9 else text
