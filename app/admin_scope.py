"""Row-level scope for Piccolo Admin: district officers see and change only their district's rows.

Three layers, because Piccolo Admin offers no single row filter hook:
- list/count/ids requests get the district filter forced into their query string (``scoped_admin``);
- single-row reads and writes are checked by ``Validators`` against the row's district;
- inserts and patches go through hooks that pin the district and refuse writes to status columns, so the admin
  can never move a status around the workflow engine.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from piccolo.table import Table
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.crud.validators import Validators
from piccolo_api.session_auth.tables import SessionsBase
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.organisations.tables import Organisation

_LIST_PATH = re.compile(r"/api/tables/(?P<table>[a-z_]+)/(?:count/|ids/)?$")


def scope_column(table: type[Table]) -> str | None:
    if table is Organisation:
        return "district"
    return "scope_district" if any(c._meta.name == "scope_district" for c in table._meta.columns) else None


async def principal_for_user(user_id: int) -> Principal | None:
    account = (
        await Account.select(Account.role, Account.district, Account.user.username)
        .where(Account.user == user_id)
        .first()
    )
    if account is None:
        return None
    return Principal(user_id, account["user.username"], Role(account["role"]), account["district"])


async def _principal_from_session(scope: dict[str, Any]) -> Principal | None:
    cookies = dict(scope.get("headers", [])).get(b"cookie", b"").decode("latin-1")
    token = next((v for k, v in (p.strip().partition("=")[::2] for p in cookies.split(";")) if k == "id"), None)
    if not token:
        return None
    user_id = await SessionsBase.get_user_id(token)
    return await principal_for_user(user_id) if user_id else None


def scoped_admin(admin_app: Any, scoped_tables: dict[str, str]) -> Any:
    """Wrap the admin ASGI app so list endpoints only ever return the caller's district rows."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _LIST_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if match and match["table"] in scoped_tables and scope.get("method") == "GET":
            principal = await _principal_from_session(scope)
            if principal is not None and not principal.is_city_staff:
                column = scoped_tables[match["table"]]
                params = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != column]
                # A district officer's filter is their district; an officer without one sees nothing.
                params.append((column, principal.district or "-"))
                scope = {**scope, "query_string": urlencode(params).encode()}
        await admin_app(scope, receive, send)

    return app


async def admin_principal(request: Request) -> Principal:
    user = getattr(request.user, "user", None)
    principal = await principal_for_user(int(user.id)) if user is not None else None
    if principal is None or principal.role not in (Role.officer, Role.admin):
        raise HTTPException(403, "只有项目官员和管理员可以使用后台")
    return principal


def scope_validators(table: type[Table], column: str | None, *, read_only: bool = False) -> Validators:
    async def check_row(piccolo_crud: Any, request: Request) -> None:
        principal = await admin_principal(request)
        row_id = request.path_params.get("row_id")
        if column is None or row_id is None or principal.is_city_staff:
            return
        row = await table.select(getattr(table, column)).where(table._meta.primary_key == row_id).first()
        if row is not None and row[column] != principal.district:
            raise HTTPException(404, "记录不存在或不在您的管辖范围内")

    async def refuse_write(piccolo_crud: Any, request: Request) -> None:
        raise HTTPException(405, "此表只读：请通过业务操作（表单）办理")

    async def staff_only(piccolo_crud: Any, request: Request) -> None:
        await admin_principal(request)

    writes = [refuse_write] if read_only else [check_row]
    return Validators(
        every=[staff_only],
        get_single=[check_row],
        put_single=writes,
        patch_single=writes,
        delete_single=writes,
        post_single=[refuse_write] if read_only else [],
        delete_all=[refuse_write],
    )


def scope_hooks(table: type[Table], column: str | None) -> list[Hook]:
    has_status = any(c._meta.name == "status" for c in table._meta.columns)

    async def pin_scope_on_insert(row: Table, request: Request) -> Table:
        principal = await admin_principal(request)
        if has_status:
            raise HTTPException(405, "带状态的业务对象请通过 API 或后台表单创建")
        if column and not principal.is_city_staff:
            if getattr(row, column) not in (None, principal.district):
                raise HTTPException(403, "只能在本区范围内新增记录")
            setattr(row, column, principal.district)
        return row

    async def guard_patch(row_id: Any, values: dict[str, Any], request: Request) -> dict[str, Any]:
        await admin_principal(request)
        protected = [name for name in ("status", column) if name and name in values]
        if not protected:
            return values
        # The edit form sends every field back; only a real change to a protected column is refused.
        current = (
            await table.select(*[getattr(table, n) for n in protected]).where(table._meta.primary_key == row_id).first()
        )
        for name in protected:
            if current is not None and values[name] != current[name]:
                message = "状态只能通过业务操作变更" if name == "status" else "不能修改记录的管辖范围"
                raise HTTPException(405 if name == "status" else 403, message)
            values.pop(name)
        return values

    return [Hook(HookType.pre_save, pin_scope_on_insert), Hook(HookType.pre_patch, guard_patch)]
