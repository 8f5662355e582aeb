"""Errors as pages: a service's DomainError shows its Chinese message; a missing or out-of-scope object, and an
unknown address, the same 404 page (its existence does not leak); no session sends the visitor to log in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.exceptions import ValidationException as LitestarValidationException
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

from app.errors import DomainError
from app.portal.frame import render
from app.portal.session import SESSION_COOKIE

log = logging.getLogger(__name__)

NOT_FOUND = "页面或记录不存在，或不在您的访问范围内"
FORBIDDEN = "您的账户无权访问此页面"
BAD_REQUEST = "请求的参数不正确，请返回上一页重试"


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    return render(request, "error.html", status=status, message=message, title="出错了" if status != 404 else "未找到")


def _login_redirect(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = Redirect(f"/portal/login?{urlencode({'next_page': back})}", status_code=303)
    if request.cookies.get(SESSION_COOKIE):  # it no longer holds (logged out elsewhere, password changed)
        response.delete_cookie(SESSION_COOKIE, path="/portal")
    return response


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _error_page(request, exc.status, NOT_FOUND if exc.status == 404 else exc.detail)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException) or exc.status_code == 404:
        return _error_page(request, 404, NOT_FOUND)
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, FORBIDDEN)
    if isinstance(exc, LitestarValidationException):
        return _error_page(request, 400, BAD_REQUEST)
    return _error_page(request, exc.status_code, "请求未能完成，请稍后重试")


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on a portal page", exc_info=exc)
    return _error_page(request, 500, "系统出现故障，请稍后重试；如一直出现，请联系项目办公室")


# Each class the app registers its own JSON handler for is named here too: Litestar picks the most specific class
# across all layers, so the app's ValidationException handler would otherwise answer a page with JSON.
PORTAL_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: _login_redirect,
    DomainError: _domain_error,
    LitestarValidationException: _http_error,
    HTTPException: _http_error,
    Exception: _internal_error,
}

HTTPErrorHandler = Callable[[Request[Any, Any, Any], HTTPException], Response[Any]]


def pages_for_unmatched_portal_paths(api_handler: HTTPErrorHandler) -> HTTPErrorHandler:
    """The app's HTTP error handler, except that an address under /portal no route matches gets the portal's 404
    page: routing fails before any portal layer, so only the app's handler sees it."""

    def handle(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        path = request.url.path
        if isinstance(exc, NotFoundException) and (path == "/portal" or path.startswith("/portal/")):
            return _error_page(request, 404, NOT_FOUND)
        return api_handler(request, exc)

    return handle
