"""Row-level scope for Piccolo Admin: district officers see and change only their district's rows.

Three layers, because Piccolo Admin offers no single row filter hook:
- list/count requests get the district filter forced into their query string, and the ``ids/`` endpoint (which
  ignores filters) is answered here with the district's rows only (``scoped_admin``);
- single-row reads and writes are checked by ``Validators`` against the row's district; tables without a scope
  column that still hold every district's data are for city staff only;
- inserts and patches go through hooks that pin the district (inherited from the parent row where there is one),
  refuse references to rows out of scope, and refuse writes to status columns, so the admin can never move a
  status around the workflow engine. PUT (which Piccolo runs without hooks, and the UI never uses) is refused.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from piccolo.table import Table
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.crud.validators import Validators
from piccolo_api.session_auth.tables import SessionsBase
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse

# Loads every Piccolo app, so each table's workflow binding exists before the admin asks which tables have one.
import app.piccolo_registry  # noqa: F401
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.organisations.tables import Organisation
from app.workflow.registry import binding_of, is_bound

# Columns only business operations may change (they are audited there): statuses, screening results, what was
# frozen at submission, a round's form. Raw admin edits of them are refused.
# The status column of every table bound to a workflow is added per table (``app.workflow.registry``).
RULE_COLUMNS = (
    "eligibility_outcome",
    "eligibility",
    "eligibility_override_reason",
    "submitted_answers",
    "submitted_at",
    "form_version",
    "form",
    "entry_number",
    "report_schema",  # checked like a form: only through PUT /editions/{id}/report-form
)

_LIST_PATH = re.compile(r"/api/tables/(?P<table>[a-z_]+)/(?P<endpoint>count/|ids/)?$")
_SESSION_COOKIE = "id"  # piccolo_api's session cookie, read the way its auth middleware reads it
_NOBODY = "-"  # filter value that matches no district
_STAFF_ONLY = "只有项目官员和管理员可以使用后台"


def scope_column(table: type[Table]) -> str | None:
    if table is Organisation:
        return "district"
    return "scope_district" if any(c._meta.name == "scope_district" for c in table._meta.columns) else None


async def principal_for_user(user_id: int) -> Principal | None:
    """The Seedbed principal of an active admin-flagged user (the only users Piccolo Admin lets in)."""
    user: Any = Account.user
    account = (
        await Account.select(Account.role, Account.district, user.username)
        .where((Account.user == user_id) & user.active.eq(True) & user.admin.eq(True))
        .first()
    )
    if account is None:
        return None
    return Principal(user_id, account["user.username"], Role(account["role"]), account["district"])


async def principal_from_session(scope: dict[str, Any]) -> Principal | None:
    """The principal of the admin session a raw ASGI request carries (for the wrappers, which run before the admin's
    own auth middleware and so have no ``request.user``)."""
    token = cookie_parser(Headers(scope=scope).get("cookie", "")).get(_SESSION_COOKIE)
    if not token:
        return None
    user_id = await SessionsBase.get_user_id(token)
    return await principal_for_user(user_id) if user_id else None


def _pk(table: type[Table], raw: Any) -> Any:
    try:
        return table._meta.primary_key.value_type(raw)
    except (TypeError, ValueError):
        return None


async def _scoped_ids(table: type[Table], column: str, district: str, query: dict[str, str]) -> dict[str, str]:
    """What piccolo_api's ``ids/`` returns (pk → readable, with search/limit/offset), for one district only."""
    pk = table._meta.primary_key
    rows = await table.select(pk, table.get_readable()).where(getattr(table, column) == district).order_by(pk)
    search = query.get("search", "").lower()
    pairs = [(str(r[pk._meta.name]), str(r["readable"])) for r in rows if search in str(r["readable"]).lower()]
    offset = int(query["offset"]) if query.get("offset", "").isdigit() else 0
    limit = int(query["limit"]) if query.get("limit", "").isdigit() else len(pairs)
    return dict(pairs[offset : offset + limit])


def scoped_admin(admin_app: Any, scoped_tables: dict[str, type[Table]]) -> Any:
    """Wrap the admin ASGI app so list endpoints only ever return the caller's district rows.

    Fails closed: unless the session belongs to city staff, the district filter is forced (to a value matching
    nothing when there is no principal; the admin then refuses the request anyway).
    """

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _LIST_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if match and match["table"] in scoped_tables and scope.get("method") in ("GET", "HEAD"):
            principal = await principal_from_session(scope)
            if principal is None or not principal.is_city_staff:
                table = scoped_tables[match["table"]]
                column = scope_column(table)
                assert column is not None
                district = (principal.district if principal else None) or _NOBODY
                query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                if match["endpoint"] == "ids/":
                    if principal is None:
                        response = JSONResponse({"error": "Auth failed"}, status_code=401)
                    elif not principal.is_staff:
                        response = JSONResponse({"detail": _STAFF_ONLY}, status_code=403)
                    else:
                        response = JSONResponse(await _scoped_ids(table, column, district, dict(query)))
                    await response(scope, receive, send)
                    return
                # Drop every parameter that names the scope column: the value, ``__operator`` (is_null/not_null
                # would replace the equality), ``__match`` and the ``column[]`` list form.
                params = [(k, v) for k, v in query if k.removesuffix("[]").split("__")[0] != column]
                params.append((column, district))
                scope = {**scope, "query_string": urlencode(params).encode()}
        await admin_app(scope, receive, send)

    return app


async def admin_principal(request: Request) -> Principal:
    user = getattr(request.user, "user", None)
    principal = await principal_for_user(int(user.id)) if user is not None else None
    if principal is None or principal.role not in (Role.officer, Role.admin):
        raise HTTPException(403, _STAFF_ONLY)
    return principal


async def _row_scope(table: type[Table], column: str, row_id: Any) -> tuple[bool, str | None]:
    row = await table.select(getattr(table, column)).where(table._meta.primary_key == _pk(table, row_id)).first()
    return (row is not None, row[column] if row else None)


def scope_validators(
    table: type[Table], column: str | None, *, read_only: bool = False, city_only: bool = False
) -> Validators:
    has_status = is_bound(table)

    async def staff_only(piccolo_crud: Any, request: Request) -> None:
        principal = await admin_principal(request)
        if city_only and not principal.is_city_staff:
            raise HTTPException(403, "此表包含各区数据，仅市级项目官员和管理员可以查看")

    async def check_row(piccolo_crud: Any, request: Request) -> None:
        principal = await admin_principal(request)
        row_id = request.path_params.get("row_id")
        if column is None or row_id is None or principal.is_city_staff:
            return
        found, district = await _row_scope(table, column, row_id)
        if found and district != principal.district:
            raise HTTPException(404, "记录不存在或不在您的管辖范围内")

    async def refuse_write(piccolo_crud: Any, request: Request) -> None:
        raise HTTPException(405, "此表只读：请通过业务操作（表单）办理")

    async def refuse_put(piccolo_crud: Any, request: Request) -> None:
        raise HTTPException(405, "请使用编辑表单（PATCH）修改记录")

    async def refuse_status_delete(piccolo_crud: Any, request: Request) -> None:
        raise HTTPException(405, "带状态的业务对象不能直接删除，请通过业务操作处理")

    writes: list[Any] = [refuse_write] if read_only else [check_row]
    return Validators(
        every=[staff_only],
        get_single=[check_row],
        put_single=[refuse_put],
        patch_single=writes,
        delete_single=[refuse_status_delete] if has_status and not read_only else writes,
        post_single=[refuse_write] if read_only else [],
        delete_all=[refuse_write],
    )


def _scoped_parents(table: type[Table]) -> dict[str, tuple[type[Table], str]]:
    """Foreign keys of ``table`` to tables with a scope column: name → (parent table, parent's scope column)."""
    parents: dict[str, tuple[type[Table], str]] = {}
    for fk in table._meta.foreign_key_columns:
        parent: type[Table] = fk._foreign_key_meta.resolved_references
        parent_column = scope_column(parent)
        if parent_column:
            parents[fk._meta.name] = (parent, parent_column)
    return parents


def scope_hooks(table: type[Table], column: str | None) -> list[Hook]:
    has_status = is_bound(table)
    parents = _scoped_parents(table)
    rule_columns = (*RULE_COLUMNS, binding_of(table).column) if has_status else RULE_COLUMNS

    async def parent_scope(principal: Principal, name: str, parent_id: Any) -> str | None:
        """A referenced row must be in the caller's scope; returns its district."""
        parent, parent_column = parents[name]
        found, district = await _row_scope(parent, parent_column, parent_id)
        if found and not principal.can_see_district(district):
            raise HTTPException(403, "引用的记录不在您的管辖范围内")
        return district

    async def pin_scope_on_insert(row: Table, request: Request) -> Table:
        principal = await admin_principal(request)
        if has_status:
            raise HTTPException(405, "带状态的业务对象请通过 API 或后台表单创建")
        inherited: set[str | None] = set()
        for name, (_, parent_column) in parents.items():
            if (parent_id := getattr(row, name)) is not None:
                district = await parent_scope(principal, name, parent_id)
                if parent_column == column:
                    inherited.add(district)
        if column is None:
            return row
        requested = getattr(row, column)
        if inherited:
            if len(inherited) > 1:
                raise HTTPException(422, "引用的上级记录不属于同一管辖范围")
            district = inherited.pop()
            if requested not in (None, district):
                raise HTTPException(403, "记录的管辖范围须与上级记录一致")
        elif principal.is_city_staff:
            district = requested
        elif requested in (None, principal.district):
            district = principal.district
        else:
            raise HTTPException(403, "只能在本区范围内新增记录")
        if not principal.can_see_district(district):
            raise HTTPException(403, "只能在本区范围内新增记录")
        setattr(row, column, district)
        return row

    async def guard_patch(row_id: Any, values: dict[Any, Any], request: Request) -> dict[Any, Any]:
        principal = await admin_principal(request)
        # piccolo_api passes {Column: value}; work by column name.
        by_name = {getattr(getattr(k, "_meta", None), "name", k): k for k in values}
        checked = list(dict.fromkeys(n for n in (*rule_columns, column, *parents) if n and n in by_name))
        if not checked:
            return values
        names = {*checked, *([column] if column else [])}
        current = (
            await table.select(*[getattr(table, n) for n in names]).where(table._meta.primary_key == row_id).first()
        )
        if current is None:
            return values
        for name in checked:
            key = by_name[name]
            if values[key] == current[name] or (name in parents and values[key] is None):
                # The edit form sends every field back; an unchanged protected column is just dropped. Clearing a
                # nullable reference reaches into no other scope.
                if name in rule_columns or name == column:
                    values.pop(key)
                continue
            if name in rule_columns:
                raise HTTPException(405, "状态和审查结果只能通过业务操作变更（以便留痕）")
            if name == column:
                raise HTTPException(403, "不能修改记录的管辖范围")
            district = await parent_scope(principal, name, values[key])
            if column is not None and parents[name][1] == column and district != current[column]:
                raise HTTPException(403, "引用的上级记录须与本记录属于同一管辖范围")
        return values

    return [Hook(HookType.pre_save, pin_scope_on_insert), Hook(HookType.pre_patch, guard_patch)]
