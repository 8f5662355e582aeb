"""Piccolo's user table in the admin: registered so foreign keys to it render, but read-only and narrow.

Every admin detail or add-row page of a table with a foreign key to ``piccolo_user`` (applications, agreements,
bank accounts, attachments, exports, …) asks ``/api/tables/piccolo_user/ids/`` for the key picker; an
unregistered table answers 404 and the admin bounces to its home page (docs/adr/0007-admin-gateway.md). So the
table is registered, with these limits:

- nobody writes to it through the admin (accounts are created and changed by the account forms and the API);
- the list, count and row endpoints are for city staff; the password hash never leaves (piccolo_api drops
  ``secret`` columns from rows and refuses them as filters);
- ``ids/`` (id → username, the only thing the key picker needs) is open to all staff, but a district officer
  gets the users of their district only: the district's officers and the members of its organisations.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from piccolo.apps.user.tables import BaseUser
from piccolo_admin.endpoints import TableConfig
from piccolo_api.crud.validators import Validators
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.admin.scope import admin_principal, principal_from_session
from app.auth.principal import Principal

USER_TABLE = BaseUser._meta.tablename
_IDS_PATH = re.compile(rf"/api/tables/{USER_TABLE}/ids/$")
_MAX_PAGE = 100
# A district's users: the caller, officers of the district, members of the district's organisations.
_DISTRICT_USERS = (
    "SELECT u.id, u.username FROM piccolo_user u WHERE (u.id = {}"
    " OR EXISTS (SELECT 1 FROM account a WHERE a.user = u.id AND a.district = {})"
    " OR EXISTS (SELECT 1 FROM organisation_member m JOIN organisation o ON o.id = m.organisation"
    " WHERE m.user = u.id AND o.district = {}))"
    " AND u.username ILIKE {} ORDER BY u.id LIMIT {} OFFSET {}"
)


def user_table_config() -> TableConfig:
    async def staff(piccolo_crud: Any, request: Request) -> None:
        await admin_principal(request)

    async def city_staff(piccolo_crud: Any, request: Request) -> None:
        if not (await admin_principal(request)).is_city_staff:
            raise HTTPException(403, "用户表仅市级项目官员和管理员可以查看")

    async def refuse_write(piccolo_crud: Any, request: Request) -> None:
        raise HTTPException(405, "用户表只读：账户请通过「账户」相关表单或 API 管理")

    user: Any = BaseUser
    return TableConfig(
        BaseUser,
        menu_group="系统",
        visible_columns=[user.id, user.username, user.active, user.admin, user.last_login],
        visible_filters=[user.username, user.active, user.admin],
        validators=Validators(
            every=[staff],
            get_all=[city_staff],
            get_count=[city_staff],
            get_single=[city_staff],
            post_single=[refuse_write],
            put_single=[refuse_write],
            patch_single=[refuse_write],
            delete_single=[refuse_write],
            delete_all=[refuse_write],
        ),
    )


async def _district_user_ids(principal: Principal, query: dict[str, str]) -> dict[str, str]:
    """What piccolo_api's ``ids/`` returns (id → username, with search/limit/offset), for one district's users."""
    offset = int(query["offset"]) if query.get("offset", "").isdigit() else 0
    limit = min(int(query["limit"]), _MAX_PAGE) if query.get("limit", "").isdigit() else _MAX_PAGE
    # The search term is a bound parameter; % and _ in it are escaped so it matches literally.
    search = query.get("search", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await BaseUser.raw(
        _DISTRICT_USERS,
        principal.user_id,
        principal.district,
        principal.district,
        f"%{search}%",
        limit,
        min(offset, 2**31 - 1),
    )
    return {str(row["id"]): str(row["username"]) for row in rows}


def user_ids_admin(admin_app: Any) -> Any:
    """Answer a district officer's ``piccolo_user/ids/`` with their district's users; city staff pass through."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and _IDS_PATH.search(scope["path"]):
            principal = await principal_from_session(scope)
            if principal is not None and principal.is_staff and not principal.is_city_staff:
                query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
                await JSONResponse(await _district_user_ids(principal, query))(scope, receive, send)
                return
        # No session, non-staff and city staff: the admin's own auth and validators decide.
        await admin_app(scope, receive, send)

    return app
