"""The portal's session: login through the API's credential check and rate limit, the cookie's flags, logout,
CSRF on every POST, and pages that need a login."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.auth import rate_limit
from app.auth.tables import Role
from app.portal.session import CSRF_COOKIE, SESSION_COOKIE
from app.settings import get_settings
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.portal import csrf_token, portal_login, signed_in


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


async def test_login_signs_in_with_a_session_cookie_httponly_and_samesite_lax(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)

    response = await portal_login(client, applicant.principal.username)

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/"
    cookie = _set_cookies(response)[SESSION_COOKIE].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/portal" in cookie
    assert "secure" not in cookie  # not production: local http
    home = await client.get("/portal/")
    assert home.status_code == 200
    assert applicant.principal.username in home.text and "申报单位" in home.text and "登录成功" in home.text
    assert "登录成功" not in (await client.get("/portal/")).text  # the notice shows once


async def test_cookies_are_secure_in_production(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "production", True)
    page = await client.get("/portal/login")
    assert "secure" in _set_cookies(page)[CSRF_COOKIE].lower()


async def test_a_wrong_password_shows_the_apis_message_and_sets_no_session(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)

    response = await portal_login(client, applicant.principal.username, "wrong-password")

    assert response.status_code == 401
    assert 'role="alert"' in response.text and "用户名或密码错误" in response.text
    assert applicant.principal.username in response.text  # the username stays filled in
    assert SESSION_COOKIE not in client.cookies


async def test_an_empty_form_is_refused_next_to_the_form(client: httpx.AsyncClient) -> None:
    response = await portal_login(client, "", "")
    assert response.status_code == 422 and "请填写用户名和密码" in response.text


@pytest.fixture
async def low_login_limit(client: httpx.AsyncClient) -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_login_per_username
    settings.rate_limit_login_per_username = "3/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_login_per_username = saved
    await rate_limit.reset()


async def test_login_attempts_count_with_the_apis_and_are_limited(
    client: httpx.AsyncClient, low_login_limit: None
) -> None:
    applicant = await factories.user(Role.applicant)
    name = applicant.principal.username
    # Two through the API, one through the portal: the same counter (the API's rule "login", per username).
    for _ in range(2):
        assert (await client.post("/auth/login", json={"username": name, "password": "wrong"})).status_code == 401
    assert (await portal_login(client, name.upper(), "wrong-password")).status_code == 401

    limited = await portal_login(client, name)  # even the right password, once over the limit

    assert limited.status_code == 429
    assert "操作过于频繁" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in client.cookies


async def test_a_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)
    await csrf_token(client)
    form = {"username": applicant.principal.username, "password": PASSWORD}

    missing = await client.post("/portal/login", data=form)
    wrong = await client.post("/portal/login", data={**form, "csrf_token": "forged"})

    for response in (missing, wrong):
        assert response.status_code == 403
        assert "页面已过期或来源不明" in response.text
    assert SESSION_COOKIE not in client.cookies


async def test_logout_needs_the_csrf_token_and_ends_the_session_everywhere(client: httpx.AsyncClient) -> None:
    expert = await factories.user(Role.expert)
    await signed_in(client, expert.principal.username)
    session = client.cookies[SESSION_COOKIE]

    refused = await client.post("/portal/logout", data={})
    assert refused.status_code == 403 and expert.principal.username in refused.text
    assert (await client.get("/portal/")).status_code == 200  # still signed in

    token = await csrf_token(client, "/portal/")
    response = await client.post("/portal/logout", data={"csrf_token": token})

    assert response.status_code == 303 and response.headers["location"] == "/portal/login"
    assert SESSION_COOKIE not in client.cookies
    assert "您已退出登录" in (await client.get("/portal/login")).text
    # The old cookie, replayed, no longer holds: logout moved the account's token version on (the API's logout).
    client.cookies.set(SESSION_COOKIE, session, path="/portal")
    replayed = await client.get("/portal/")
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/portal/login")


async def test_a_page_needing_login_redirects_to_the_login_page_and_back(client: httpx.AsyncClient) -> None:
    expert = await factories.user(Role.expert)

    redirected = await client.get("/portal/reviews")

    assert redirected.status_code == 303
    # Regression: the redirect said ``next`` while the login page reads ``next_page``, so people landed on the home
    # page instead of the page they asked for.
    assert redirected.headers["location"] == "/portal/login?next_page=%2Fportal%2Freviews"
    login_page = await client.get(redirected.headers["location"])
    assert 'name="next_page" value="/portal/reviews"' in login_page.text
    token = await csrf_token(client)
    back = await client.post(
        "/portal/login",
        data={
            "csrf_token": token,
            "username": expert.principal.username,
            "password": PASSWORD,
            "next_page": "/portal/reviews",
        },
    )
    assert back.headers["location"] == "/portal/reviews"


async def test_login_never_redirects_off_the_portal(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)
    token = await csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/portal/", "/admin/"):
        client.cookies.delete(SESSION_COOKIE)
        response = await client.post(
            "/portal/login",
            data={
                "csrf_token": token,
                "username": applicant.principal.username,
                "password": PASSWORD,
                "next_page": target,
            },
        )
        assert response.headers["location"] == "/portal/", target


async def test_a_bearer_token_does_not_open_a_page(client: httpx.AsyncClient) -> None:
    """Pages sign in by the session cookie only: an API token in a header is no portal session."""
    applicant = await factories.user(Role.applicant)
    response = await client.get("/portal/", headers=applicant.headers)
    assert response.status_code == 303
