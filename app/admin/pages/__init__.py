"""The admin's own pages beside Piccolo Admin (issue 16, 「审阅与资格审查」), served under /admin/ with its session:

- ``GET  /admin/screening``: the rounds in the officer's scope, each linked to its screening list (a sidebar link);
- ``GET  /admin/rounds/{id}/screening`` (+ ``POST``: bulk return/reject of the ticked rows) and ``….xlsx``;
- ``GET  /admin/applications/{id}`` (+ ``POST``: override / return for revision / reject with a reason);
- ``GET  /admin/attachments/{id}/file``: an attachment, with the API's download rules.
- ``/admin/money/…``: 资金管理, money from award to reconciliation (``money*.py``; app/admin/pages/money.py lists the
  queues, each page module its own routes).

Each page module declares its paths as ``PageRoute`` rows (app.admin.pages.routing) in its own list, added to
``ROUTE_LISTS`` below. Piccolo Admin has no extension point for a custom server-rendered page, so this is an ASGI
wrapper like the export download (docs/adr/0016-admin-reader-pages.md). Every POST repeats Piccolo's
``csrftoken`` cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import RedirectResponse, Response, StreamingResponse

from app.admin.pages.html import csrf_ok, esc, first, page, problem_page, read_form
from app.admin.pages.money import MONEY_HOME_ROUTES
from app.admin.pages.money_awards import MONEY_AWARD_ROUTES
from app.admin.pages.money_batches import MONEY_BATCH_ROUTES
from app.admin.pages.money_checks import MONEY_CHECK_ROUTES
from app.admin.pages.money_reconciliation import MONEY_RECONCILIATION_ROUTES
from app.admin.pages.money_recovery import MONEY_RECOVERY_ROUTES
from app.admin.pages.reader import DONE_ZH, decide, reader_page
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import bulk_decide, screening_page, screening_url, screening_xlsx
from app.admin.scope import principal_from_session
from app.errors import DomainError
from app.types import ID_MAX
from programmes.content_types import content_disposition

_NOT_FOUND = "记录不存在或不在您的管辖范围内"
_VIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})


async def _rounds_index(request: PageRequest) -> Response:
    from app.access import staff_filter
    from programmes.tables import Round

    rows = await (
        Round.select(Round.id, Round.name, Round.edition.title)
        .where(*staff_filter(request.principal, Round.scope_district))
        .order_by(Round.id, ascending=False)
        .limit(200)
    )
    items = "".join(
        f'<li><a href="{screening_url(r["id"])}">{esc(r["edition.title"])} · {esc(r["name"])}</a></li>' for r in rows
    )
    listing = f"<ul>{items or '<li>暂无轮次</li>'}</ul>"
    return page("申报审阅与资格审查", f"<section><h2>选择轮次（最近 200 个）</h2>{listing}</section>")


async def _attachment(request: PageRequest) -> Response:
    from programmes.attachments.service import download

    meta, chunks = await download(request.principal, request.object_id)
    # PDFs and photos open in the browser; anything else (office files, and HTML/SVG an applicant could script)
    # is saved. A sandbox CSP keeps even an inline file from running anything on the admin's origin.
    disposition = "inline" if meta.content_type in _VIEWABLE else "attachment"
    headers = {
        "Content-Disposition": content_disposition(meta.filename, disposition),
        "Content-Length": str(meta.size_bytes),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    return StreamingResponse(chunks, media_type=meta.content_type, headers=headers)


async def _reader(request: PageRequest) -> Response:
    notice = DONE_ZH.get(request.params.get("done", ""), "")
    return await reader_page(request.scope, request.principal, request.object_id, notice=notice)


async def _decide(request: PageRequest) -> Response:
    form = request.form
    return await decide(
        request.scope, request.principal, request.object_id, first(form, "action"), first(form, "reason")
    )


async def _screening(request: PageRequest) -> Response:
    return await screening_page(request.scope, request.principal, request.object_id, request.params)


async def _bulk(request: PageRequest) -> Response:
    return await bulk_decide(request.scope, request.principal, request.object_id, request.form)


async def _xlsx(request: PageRequest) -> Response:
    return await screening_xlsx(request.principal, request.object_id, request.params)


SCREENING_ROUTES = [
    PageRoute(r"/screening", _rounds_index),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/screening", _screening, _bulk),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/screening\.xlsx", _xlsx),
    PageRoute(r"/applications/(?P<id>[0-9]{1,10})", _reader, _decide),
    PageRoute(r"/attachments/(?P<id>[0-9]{1,10})/file", _attachment),
]

# One list per page module (a new page adds its list here).
ROUTE_LISTS: list[list[PageRoute]] = [
    SCREENING_ROUTES,
    MONEY_HOME_ROUTES,
    MONEY_AWARD_ROUTES,
    MONEY_CHECK_ROUTES,
    MONEY_BATCH_ROUTES,
    MONEY_RECONCILIATION_ROUTES,
    MONEY_RECOVERY_ROUTES,
]
_ROUTES = [(route.compiled(), route) for routes in ROUTE_LISTS for route in routes]


def _route(scope: dict[str, Any]) -> tuple[PageRoute, int] | None:
    path = scope.get("path", "")
    if scope["type"] != "http" or "/api/" in path or scope.get("method") not in ("GET", "HEAD", "POST"):
        return None
    for pattern, route in _ROUTES:
        match = pattern.match(path)
        if match:
            return route, int(match.groupdict().get("id") or 0)
    return None


async def _answer(scope: dict[str, Any], receive: Any, route: PageRoute, object_id: int) -> Response:
    principal = await principal_from_session(scope)
    if principal is None:
        return RedirectResponse("/admin/", status_code=303)
    if not principal.is_staff:
        return problem_page(403, "只有项目官员和管理员可以使用后台")
    posting = scope["method"] == "POST"
    handler = route.post if posting else route.get
    if object_id > ID_MAX or handler is None:
        return problem_page(
            404 if object_id > ID_MAX or not posting else 405, _NOT_FOUND if not posting else "不支持的操作"
        )
    params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    form: dict[str, list[str]] = {}
    if posting:
        read = await read_form(receive)
        if read is None or not csrf_ok(scope, read):
            return problem_page(403, "页面已过期，请刷新后重试")
        form = read
    return await handler(PageRequest(scope, principal, object_id, params, form))


def admin_pages(admin_app: Any) -> Any:
    """Wrap the admin ASGI app with the reader and screening pages (admin session cookie, API scope rules)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        route = _route(scope)
        if route is None:
            await admin_app(scope, receive, send)
            return
        try:
            response = await _answer(scope, receive, *route)
        except DomainError as exc:  # the API's refusals (a uniform 404 outside scope) as a Chinese page
            response = problem_page(exc.status, exc.detail if exc.status != 404 else _NOT_FOUND)
        await response(scope, receive, send)

    return app
