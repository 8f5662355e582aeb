"""What every portal page shares: the permission guard, the CSRF check, and rendering a template in the frame."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template

from app.auth.principal import Permission, Principal
from app.errors import DomainError
from app.notifications.service import unread_count
from app.portal.session import CSRF_COOKIE, CSRF_FIELD, cookie_options, csrf_matches, new_csrf_token, principal_of
from app.timezone import shown

# The API's guard reads ``permission``; a page declares who may see it under this key instead, because the portal
# signs people in by its session cookie, not by a bearer header (tests/portal/test_portal_routes.py checks all).
PAGE_PERMISSION = "page_permission"
NOTICE_COOKIE = "seedbed_portal_notice"
SAFE_METHODS = frozenset({"GET", "HEAD"})


def page_opt(permission: Permission) -> dict[str, Any]:
    return {PAGE_PERMISSION: permission}


async def enforce_page_permission(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The portal's guard, mirroring the API's ``enforce_permission``: fails closed without a declared permission;
    checks the CSRF token of every unsafe request before the handler runs."""
    permission = handler.opt.get(PAGE_PERMISSION)
    if not isinstance(permission, Permission):
        raise PermissionDeniedException("page declares no permission")
    principal = await principal_of(connection)  # a read only; the refusal page below still shows who is signed in
    connection.state["portal_principal"] = principal
    if principal is not None:  # the header's unread badge: one COUNT per page, whatever the page lists
        connection.state["unread_notifications"] = await unread_count(principal)
    if connection.scope.get("method", "GET") not in SAFE_METHODS:
        assert isinstance(connection, Request)
        form = await connection.form()
        if not csrf_matches(connection.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)):
            raise DomainError("csrf_failed", "页面已过期或来源不明，请刷新页面后重新提交", 403)
    if principal is not None:
        connection.state["principal"] = principal  # what app.auth.principal.provide_principal hands the handlers
    if permission.is_public:
        return
    if principal is None:
        raise NotAuthorizedException("login required")
    assert permission.roles is not None
    if principal.role not in permission.roles:
        raise PermissionDeniedException("role not allowed")


def signed_in(request: Request[Any, Any, Any]) -> Principal | None:
    principal = request.state.get("portal_principal")
    return principal if isinstance(principal, Principal) else None


def render(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    """``template`` in the base frame: the signed-in user, the CSRF token for its forms, the notice left for it."""
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    notice = request.cookies.get(NOTICE_COOKIE)
    response = Template(
        template_name=template,
        status_code=status,
        context={
            "principal": signed_in(request),
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf,
            "notice": unquote(notice) if notice else None,
            "unread_notifications": request.state.get("unread_notifications"),
            **context,
        },
        headers={"Cache-Control": "no-store"},
    )
    if csrf != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, csrf, **cookie_options())
    if notice:
        response.delete_cookie(NOTICE_COOKIE, path="/portal")
    return response


def leave_notice(response: Any, text: str) -> None:
    """A one-time message for the next page (after a redirect): shown once in its notice area, then cleared."""
    response.set_cookie(NOTICE_COOKIE, quote(text), **cookie_options(max_age=300))


def beijing(moment: Any) -> str:
    """A stored UTC time as people read it: Beijing time without ``Z`` (the admin's ``when``); a template global."""
    return shown(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
