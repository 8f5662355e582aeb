"""Applications (申报): an organisation's members draft, submit and withdraw; officers read them in scope."""

from __future__ import annotations

import json
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Role
from app.db import engine
from app.errors import DomainError, conflict, not_found
from app.organisations.service import member_organisation_ids
from programmes.applications.schemas import ApplicationCreate, ApplicationUpdate
from programmes.forms import validate_answers
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Round
from programmes.timezone import now_utc, shown
from programmes.workflows.contest import CONTEST_APPLICATION
from programmes.workflows.engine import Actor, transition

MAX_ANSWERS_BYTES = 500_000


def _check_size(answers: dict[str, Any]) -> None:
    if len(json.dumps(answers, ensure_ascii=False).encode()) > MAX_ANSWERS_BYTES:
        raise DomainError("answers_too_large", "申报内容过大", 413)


async def _accepting_round(round_id: int) -> dict[str, Any]:
    row = await Round.select().where(Round.id == round_id).first()
    if row is None:
        raise not_found("轮次")
    now = now_utc()
    if row["status"] != "open" or now < row["opens_at"]:
        raise conflict("round_not_open", "该轮次未开放申报")
    if now >= row["closes_at"]:
        raise conflict("deadline_passed", f"申报已于 {shown(row['closes_at']):%Y-%m-%d %H:%M}（北京时间）截止")
    return dict(row)


async def create_draft(principal: Principal, data: ApplicationCreate) -> dict[str, Any]:
    """A member of the organisation starts a draft in an open round."""
    if data.organisation_id not in await member_organisation_ids(principal.user_id):
        raise not_found("社会组织")
    round_row = await _accepting_round(data.round_id)
    _check_size(data.answers)
    try:
        async with engine().transaction():
            rows = await Application.insert(
                Application(
                    round=data.round_id,
                    organisation=data.organisation_id,
                    title=data.title,
                    status=CONTEST_APPLICATION.initial,
                    answers=data.answers,
                    created_by=principal.user_id,
                    scope_district=round_row["scope_district"],
                )
            ).returning(Application.id)
            application_id = int(rows[0]["id"])
            await audit.record(
                actor_id=principal.user_id,
                actor_role=principal.role.value,
                action="application.create",
                object_type="application",
                object_id=application_id,
                after={"title": data.title},
            )
    except UniqueViolationError as exc:
        raise conflict("application_exists", "本单位在该轮次已有申报，请编辑已有申报") from exc
    return await read(application_id)


async def _own_application(principal: Principal, application_id: int) -> dict[str, Any]:
    row = await Application.select().where(Application.id == application_id).first().output(load_json=True)
    if row is None or row["organisation"] not in await member_organisation_ids(principal.user_id):
        raise not_found("申报")
    return dict(row)


async def update_draft(principal: Principal, application_id: int, data: ApplicationUpdate) -> dict[str, Any]:
    """Autosave: partial answers are accepted while the application is a draft and the round accepts work."""
    row = await _own_application(principal, application_id)
    if row["status"] != "draft":
        raise conflict("application_not_draft", "申报已提交，不能再修改")
    await _accepting_round(row["round"])
    changes: dict[Any, Any] = {Application.updated_at: now_utc()}
    if data.title is not None:
        changes[Application.title] = data.title
    if data.answers is not None:
        _check_size(data.answers)
        changes[Application.answers] = json.dumps(data.answers, ensure_ascii=False)
    async with engine().transaction():
        await Application.update(changes).where(Application.id == application_id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="application.save_draft",
            object_type="application",
            object_id=application_id,
        )
    return await read(application_id)


async def submit(principal: Principal, application_id: int) -> dict[str, Any]:
    """Full validation against the round's form, before the deadline; then the answers are frozen."""
    row = await _own_application(principal, application_id)
    round_row = await _accepting_round(row["round"])
    schema = (
        await Round.select(Round.form.json_schema.as_alias("schema"))
        .where(Round.id == round_row["id"])
        .first()
        .output(load_json=True)
    )
    assert schema is not None
    validate_answers(schema["schema"], row["answers"] or {})
    async with engine().transaction():
        await transition(
            Application,
            application_id,
            CONTEST_APPLICATION,
            "submit",
            Actor(principal.user_id, "applicant"),
            values={"submitted_at": now_utc(), "updated_at": now_utc()},
        )
    return await read(application_id)


async def withdraw(principal: Principal, application_id: int, reason: str) -> dict[str, Any]:
    await _own_application(principal, application_id)
    async with engine().transaction():
        await transition(
            Application,
            application_id,
            CONTEST_APPLICATION,
            "withdraw",
            Actor(principal.user_id, "applicant"),
            reason=reason,
        )
    return await read(application_id)


async def read(application_id: int) -> dict[str, Any]:
    row = await Application.select().where(Application.id == application_id).first().output(load_json=True)
    if row is None:
        raise not_found("申报")
    return {
        "id": row["id"],
        "round_id": row["round"],
        "organisation_id": row["organisation"],
        "title": row["title"],
        "status": row["status"],
        "answers": row["answers"] or {},
        "submitted_at": shown(row["submitted_at"]) if row["submitted_at"] else None,
    }


async def read_for(principal: Principal, application_id: int) -> dict[str, Any]:
    """Members of the organisation, or staff in scope. Experts use their own (possibly blind) view."""
    if principal.role is Role.applicant:
        await _own_application(principal, application_id)
    elif principal.is_staff:
        row = await Application.select(Application.scope_district).where(Application.id == application_id).first()
        if row is None:
            raise not_found("申报")
        ensure_staff_scope(principal, row["scope_district"], "申报")
    else:
        raise not_found("申报")
    return await read(application_id)


async def list_mine(principal: Principal) -> list[dict[str, Any]]:
    ids = await member_organisation_ids(principal.user_id)
    if not ids:
        return []
    rows = await Application.select(Application.id).where(Application.organisation.is_in(ids)).order_by(Application.id)
    return [await read(r["id"]) for r in rows]


async def list_for_round(principal: Principal, round_id: int) -> list[dict[str, Any]]:
    round_row = await Round.select(Round.scope_district).where(Round.id == round_id).first()
    if round_row is None:
        raise not_found("轮次")
    ensure_staff_scope(principal, round_row["scope_district"], "轮次")
    rows = await Application.select(Application.id).where(Application.round == round_id).order_by(Application.id)
    return [await read(r["id"]) for r in rows]
