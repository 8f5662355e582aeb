"""The portal's session: a cookie holding the API's own refresh token, turned into a ``Principal`` per request.

Login calls ``app.auth.service.login`` (the API's password check) under the API's login rate limit, counted in the
same Redis keys. Each page request runs ``app.auth.service.refresh`` on the cookie, so an inactive account, a
logout anywhere (the token version moves on) or a password change ends the session exactly as it ends the API's
refresh tokens; the principal is then read from the access token that call issues, like the API's bearer guard.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from app.auth import service
from app.auth.principal import Principal, principal_from_token
from app.auth.rate_limit import check_identities, client_address
from app.errors import DomainError
from app.settings import get_settings

SESSION_COOKIE = "seedbed_portal"
CSRF_COOKIE = "seedbed_portal_csrf"
CSRF_FIELD = "csrf_token"


def cookie_options(max_age: int | None = None) -> dict[str, Any]:
    """HttpOnly and SameSite=Lax always; Secure in production (behind HTTPS, as the admin's cookies)."""
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().production,
        "path": "/portal",
        "max_age": max_age,
    }


def session_max_age() -> int:
    return get_settings().refresh_token_days * 86400


async def log_in(connection: ASGIConnection[Any, Any, Any, Any], username: str, password: str) -> str:
    """The session cookie's value for these credentials; raises the API's DomainError (401 / 429)."""
    settings = get_settings()
    # The API's rule "login" keys its counters by client address and by the lower-cased username: the same keys here,
    # so attempts through the portal and through POST /auth/login count together.
    await check_identities(
        "login",
        [
            ("ip", client_address(connection.scope, settings), settings.rate_limit_login_per_ip),
            ("id", username.strip().lower(), settings.rate_limit_login_per_username),
        ],
    )
    return (await service.login(username, password)).refresh_token


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """Who the session cookie says is signed in; None without a cookie or once it no longer holds."""
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        pair = await service.refresh(token)
    except (DomainError, NotAuthorizedException):
        return None
    return principal_from_token(pair.access_token)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(cookie_value: str | None, form_value: object) -> bool:
    """Double submit: the form's hidden field must equal the CSRF cookie another site can neither read nor set."""
    if not cookie_value or not isinstance(form_value, str) or not form_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), form_value.encode())
