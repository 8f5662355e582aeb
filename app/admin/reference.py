"""Reference tables that stay editable in Piccolo Admin: every write goes through ONE hook that validates with the
API's own schema and audits the change with before/after, in the same transaction as the write.

A table is reference data when editing it cannot change any rule's outcome: a fund source's name and kind, an
edition's year and title are labels. Everything else is read-only in the admin and changed through a form that calls
the service (app/admin/forms/settings.py and friends).

Piccolo's CRUD runs hooks *before* its write and offers no hook after it, so ``audited_writes`` wraps the admin app:
an unsafe request to a reference table runs in one database transaction (the hook's audit row and Piccolo's write
share it) and the response is held back until that transaction has committed — or rolled back, for any 4xx/5xx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from piccolo.table import Table
from piccolo_api.crud.hooks import Hook, HookType
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.admin.scope import admin_principal, scope_column
from app.db import engine
from app.uow import unit_of_work
from app.validation_messages import pydantic_error
from app.workflow.engine import Actor
from programmes.awards.schemas import FundSourceCreate
from programmes.catalogue.schemas import EditionCreate
from programmes.tables import Edition, FundSource


@dataclass(frozen=True)
class Reference:
    schema: type[BaseModel]  # the API's schema for the same data: its fields are the editable columns
    object_type: str


REFERENCE: dict[type[Table], Reference] = {
    FundSource: Reference(FundSourceCreate, "fund_source"),
    Edition: Reference(EditionCreate, "edition"),
}

_WRITE_PATH = re.compile(r"/api/tables/(?P<table>[a-z_]+)/")


def validation_message(exc: ValidationError) -> str:
    """A pydantic error in zh-CN for an admin form, by error ``type`` — the same words the API uses."""
    parts = []
    for error in exc.errors():
        entry = pydantic_error(error)
        where = entry["field"] if entry["field"] != "body" else "表单"
        parts.append(f"{where}：{entry['message']}")
    return "；".join(parts)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _validated(reference: Reference, values: dict[str, Any]) -> dict[str, Any]:
    try:
        model = reference.schema.model_validate(values)
    except ValidationError as exc:
        raise HTTPException(422, validation_message(exc)) from exc
    return {k: _jsonable(v) for k, v in model.model_dump().items()}


def reference_hooks(table: type[Table]) -> list[Hook]:
    """The hook: validate with the schema, refuse any other column, audit before/after. Runs after the scope hooks
    (which pin the district and drop unchanged protected columns)."""
    reference = REFERENCE[table]
    fields = set(reference.schema.model_fields)
    pk = table._meta.primary_key
    structural = {pk._meta.name, *(fk._meta.name for fk in table._meta.foreign_key_columns)}
    if column := scope_column(table):
        structural.add(column)

    async def city_staff_for_shared(request: Request) -> Any:
        principal = await admin_principal(request)
        if column is None and not principal.is_city_staff:
            raise HTTPException(403, "共用的基础数据只能由市级项目官员或管理员修改")
        return principal

    async def on_insert(row: Table, request: Request) -> Table:
        principal = await admin_principal(request)
        for col in table._meta.columns:
            name = col._meta.name
            if name not in fields | structural | {"created_at"} and getattr(row, name) != col.get_default_value():
                raise HTTPException(405, f"「{name}」不能在后台直接填写，请通过业务操作办理")
        clean = _validated(reference, {name: getattr(row, name) for name in fields})
        for name, value in clean.items():
            setattr(row, name, value)
        # The id is taken now so the audit row (same transaction, see audited_writes) can name the new row.
        [reserved] = await table.raw(
            f"SELECT nextval(pg_get_serial_sequence('{table._meta.tablename}', '{pk._meta.name}')) AS id"
        )
        setattr(row, pk._meta.name, reserved["id"])
        after = {**clean, **{n: _jsonable(getattr(row, n)) for n in structural - {pk._meta.name}}}
        async with unit_of_work(Actor.of(principal)) as uow:
            await uow.audit(
                f"{reference.object_type}.create",
                reference.object_type,
                int(reserved["id"]),
                after=after,
                reason="后台新增",
            )
        return row

    async def on_patch(row_id: Any, values: dict[Any, Any], request: Request) -> dict[Any, Any]:
        principal = await city_staff_for_shared(request)
        current = await table.select().where(pk == row_id).first()
        if current is None:
            return values  # Piccolo answers the missing row itself
        by_name = {getattr(getattr(k, "_meta", None), "name", k): k for k in values}
        for name, key in by_name.items():
            if name not in fields and name not in structural and values[key] != current[name]:
                raise HTTPException(405, f"「{name}」不能在后台直接修改，请通过业务操作办理")
        clean = _validated(reference, {n: values[by_name[n]] if n in by_name else current[n] for n in fields})
        changed = {n: v for n, v in clean.items() if v != _jsonable(current[n])}
        for name, key in list(by_name.items()):
            if name in fields:
                values[key] = clean[name]
            elif name not in structural:
                values.pop(key)  # unchanged (checked above): nothing to write
        if changed:
            async with unit_of_work(Actor.of(principal)) as uow:
                await uow.audit(
                    f"{reference.object_type}.update",
                    reference.object_type,
                    int(row_id),
                    before={n: _jsonable(current[n]) for n in changed},
                    after=changed,
                    reason="后台修改",
                )
        return values

    async def on_delete(row_id: Any, request: Request) -> None:
        principal = await city_staff_for_shared(request)
        current = await table.select().where(pk == row_id).first()
        if current is not None:
            async with unit_of_work(Actor.of(principal)) as uow:
                await uow.audit(
                    f"{reference.object_type}.delete",
                    reference.object_type,
                    int(row_id),
                    before={n: _jsonable(v) for n, v in current.items()},
                    reason="后台删除",
                )

    return [
        Hook(HookType.pre_save, on_insert),
        Hook(HookType.pre_patch, on_patch),
        Hook(HookType.pre_delete, on_delete),
    ]


class _RolledBack(Exception):
    pass


def audited_writes(admin_app: Any) -> Any:
    """Run every unsafe request to a reference table in one transaction; answer only after commit or rollback."""
    tablenames = {t._meta.tablename for t in REFERENCE}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _WRITE_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if not match or match["table"] not in tablenames or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await admin_app(scope, receive, send)
            return
        held: list[dict[str, Any]] = []

        async def hold(message: dict[str, Any]) -> None:
            held.append(message)

        try:
            # A plain transaction, not a unit of work: it wraps Piccolo's own write, and the actor is known only
            # inside the hooks, whose units of work join it (one commit for the row and its audit row).
            async with engine().transaction():
                await admin_app(scope, receive, hold)
                start = next((m for m in held if m["type"] == "http.response.start"), None)
                if start is None or start["status"] >= 400:
                    raise _RolledBack
        except _RolledBack:
            pass
        for message in held:
            await send(message)

    return app
