"""What every admin form shares: run the work as the logged-in officer, parse typed-in ids, validate into the API's
schema with the API's zh-CN messages.

A form handler is parse → one service call → a sentence: the service opens its own unit of work (transaction,
actor, audit rows, jobs after commit), so no form opens a transaction, builds an ``Actor`` or flushes the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from app.admin.reference import validation_message
from app.admin.scope import admin_principal
from app.auth.principal import Principal
from app.errors import DomainError
from app.types import ID_MAX, ID_MIN

# Room for the 500 ids a bulk action accepts (OfficerAction.application_ids), or 1,000 tranche ids.
ID_LIST_CHARS = 12_000


async def as_officer(request: Request, work: Callable[[Principal], Awaitable[str]]) -> str:
    """Run ``work`` as the session's officer or admin; a refused rule shows as the form's error."""
    principal = await admin_principal(request)
    try:
        return await work(principal)
    except DomainError as exc:  # Piccolo Admin shows a ValueError's text in the form
        raise ValueError(exc.detail) from exc


def parse_ids(value: str, what_zh: str = "申报编号", most: int | None = None) -> list[int]:
    """Ids typed into an admin form: digits separated by commas (half- or full-width) or spaces."""
    parts = [p for p in value.replace("，", ",").replace(" ", ",").split(",") if p]
    if not parts or (most is not None and len(parts) > most) or not all(p.isdigit() for p in parts):
        count = f" 1–{most} 个" if most is not None else ""
        raise ValueError(f"请填写{count}{what_zh}，用逗号分隔，例如 12,13,15")
    ids = [int(p) for p in parts]
    if not all(ID_MIN <= i <= ID_MAX for i in ids):
        raise ValueError(f"{what_zh}超出范围（1–{ID_MAX}）")
    return ids


def validated(model: type[BaseModel], values: dict[str, Any]) -> Any:
    """A form's flat fields parsed into the API's schema, so both paths validate alike."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:  # a pydantic error is a ValueError too, but its text is English
        raise ValueError(validation_message(exc)) from exc


async def application_names(application_ids: list[int]) -> dict[int, str]:
    """「12「社区助餐」」 for each id, read in one query, to say back what a typed number named. Only for ids the
    service has just handled for this officer (so in scope): never for refused ones, whose titles must not leak."""
    from programmes.tables import Application

    if not application_ids:
        return {}
    rows = await Application.select(Application.id, Application.title).where(Application.id.is_in(application_ids))
    return {row["id"]: f"{row['id']}「{row['title']}」" for row in rows}
