"""忘记密码 through the portal: the API's services (same answer for every account, single-use e-mailed code, all
sessions end), the API's rate limit counted together with POST /auth/password-reset, and nothing changed on error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from piccolo.apps.user.tables import BaseUser

from app.auth import rate_limit
from app.auth.account_controller import RESET_ACCEPTED
from app.auth.tables import PasswordResetToken, Role
from app.portal.frame import NOTICE_COOKIE
from app.settings import get_settings
from tests import factories
from tests.factories.portal import csrf_token, portal_login
from tests.factories.smtp import ADDRESS, FakeSMTP, reset_code, smtp, smtp_settings  # noqa: F401 — pytest fixtures

NEW_PASSWORD = "reset-by-page-42"


async def _member_with_address() -> factories.User:
    _, member = await factories.organisation()
    await BaseUser.update({BaseUser.email: ADDRESS}).where(BaseUser.id == member.id)
    return member


async def _ask(client: httpx.AsyncClient, account: str) -> httpx.Response:
    token = await csrf_token(client, "/portal/password-reset")
    return await client.post("/portal/password-reset", data={"csrf_token": token, "account": account})


async def _confirm(client: httpx.AsyncClient, code: str, password: str) -> httpx.Response:
    token = await csrf_token(client, "/portal/password-reset/confirm")
    return await client.post(
        "/portal/password-reset/confirm", data={"csrf_token": token, "token": code, "new_password": password}
    )


async def test_the_login_page_links_to_the_reset(client: httpx.AsyncClient) -> None:
    login = await client.get("/portal/login")
    assert 'href="/portal/password-reset"' in login.text


async def test_reset_by_the_emailed_code_then_sign_in_with_the_new_password(
    client: httpx.AsyncClient,
    smtp: FakeSMTP,  # noqa: F811
    smtp_settings: None,  # noqa: F811
) -> None:
    member = await _member_with_address()
    asked = await _ask(client, ADDRESS.upper())
    assert asked.status_code == 303 and asked.headers["location"] == "/portal/password-reset/confirm"
    page = await client.get("/portal/password-reset/confirm")
    assert RESET_ACCEPTED in page.text  # the API's answer, once
    code = await reset_code(smtp)

    short = await _confirm(client, code, "short")
    assert short.status_code == 422 and 'id="new_password-error">至少 8 个字符<' in short.text
    wrong = await _confirm(client, "x" * 40, NEW_PASSWORD)
    assert wrong.status_code == 422 and 'id="token-error">重置码无效、已使用或已过期，请重新申请<' in wrong.text
    assert NEW_PASSWORD not in wrong.text
    assert (await portal_login(client, member.principal.username)).status_code == 303  # nothing changed yet
    client.cookies.clear()

    done = await _confirm(client, code, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/portal/login"
    assert "密码已重置" in (await client.get("/portal/login")).text
    assert (await portal_login(client, member.principal.username)).status_code == 401
    assert (await portal_login(client, member.principal.username, NEW_PASSWORD)).status_code == 303
    client.cookies.clear()
    reused = await _confirm(client, code, "another-secret-9")
    assert reused.status_code == 422 and 'id="token-error"' in reused.text


async def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient,
    smtp: FakeSMTP,  # noqa: F811
    smtp_settings: None,  # noqa: F811
) -> None:
    await _member_with_address()
    answers = [await _ask(client, account) for account in (ADDRESS, "nobody-at-all", "nobody@example.org")]
    assert len({(a.status_code, a.headers["location"], a.cookies.get(NOTICE_COOKIE)) for a in answers}) == 1
    assert await PasswordResetToken.count() == 1
    empty = await _ask(client, "")
    assert empty.status_code == 422 and 'id="account-error"' in empty.text


@pytest.fixture
async def low_reset_limit(client: httpx.AsyncClient) -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_reset_per_account
    settings.rate_limit_reset_per_account = "2/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_reset_per_account = saved
    await rate_limit.reset()


async def test_asking_counts_with_the_apis_requests_and_is_limited(
    client: httpx.AsyncClient,
    smtp: FakeSMTP,  # noqa: F811
    smtp_settings: None,  # noqa: F811
    low_reset_limit: None,  # noqa: F811
) -> None:
    expert = await factories.user(Role.expert)
    name = expert.principal.username
    assert (await client.post("/auth/password-reset", json={"account": name})).status_code == 202
    assert (await _ask(client, name.upper())).status_code == 303  # the same account, lower-cased as the API does

    limited = await _ask(client, name)

    assert limited.status_code == 429 and "操作过于频繁" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    api = await client.post("/auth/password-reset", json={"account": name})
    assert api.status_code == 429  # and the API sees the page's attempts
