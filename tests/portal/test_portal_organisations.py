"""申报单位 pages: registering through the API's service (field errors in Chinese next to each field, nothing
created on error, signed in on success), changing the password, and the organisation's own applications with their
timeline (another organisation's is the uniform 404)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.auth import rate_limit
from app.auth.tables import Role
from app.organisations.tables import Organisation
from app.portal.errors import NOT_FOUND
from app.portal.session import SESSION_COOKIE
from app.settings import get_settings
from app.timezone import shown
from tests import factories
from tests.factories import applications
from tests.factories.portal import csrf_token, portal_login, signed_in
from tests.factories.world import row_counts

GOOD = {
    "org_type": "social_service_institution",
    "name": "长宁区阳光睦邻服务中心",
    "district": "changning",
    "street": "新华路街道",
    "username": "sunshine",
    "password": "a-long-secret",
    "email": "contact@sunshine.example.org",
    "mobile": "13800138000",
}


async def _register(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = await csrf_token(client, "/portal/register")
    return await client.post("/portal/register", data={"csrf_token": token, **fields})


async def test_the_register_form_offers_chinese_types_and_the_16_districts(client: httpx.AsyncClient) -> None:
    page = await client.get("/portal/register")
    assert page.status_code == 200
    assert '<option value="social_service_institution">社会服务机构（民办非企业单位）</option>' in page.text
    # a 请选择 each (type, district, street, custodian), the types, the districts; no district yet: no streets
    assert page.text.count('<option value="') == 4 + 4 + 16
    assert '<option value="pudong">浦东新区</option>' in page.text


async def test_registering_creates_the_organisation_and_signs_in(client: httpx.AsyncClient) -> None:
    code = factories.credit_code(9001)
    response = await _register(client, **GOOD, credit_code=code)

    assert response.status_code == 303 and response.headers["location"] == "/portal/"
    assert client.cookies.get(SESSION_COOKIE)
    home = await client.get("/portal/")
    assert home.status_code == 200 and "您好，sunshine" in home.text and "注册成功" in home.text
    row = await Organisation.select().where(Organisation.credit_code == code).first()
    assert row is not None and row["name"] == GOOD["name"] and row["district"] == "changning"


async def test_field_errors_show_in_chinese_next_to_each_field_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    before = await row_counts()
    bad = {**GOOD, "username": "x", "password": "short", "email": "not-an-email", "district": "", "name": "长"}
    response = await _register(client, **bad, credit_code="")

    assert response.status_code == 422
    text = response.text
    assert 'id="username-error">至少 3 个字符<' in text
    assert 'id="password-error">至少 8 个字符<' in text
    assert 'id="name-error">至少 2 个字符<' in text
    assert 'id="email-error"' in text and 'id="district-error"' in text
    assert 'aria-invalid="true" aria-describedby="username-error username-hint"' in text
    assert 'value="长宁区阳光睦邻服务中心"' not in text and 'value="not-an-email"' in text  # what was typed stays
    assert 'role="alert"' in text and not client.cookies.get(SESSION_COOKIE)
    assert await row_counts() == before


async def test_a_taken_credit_code_or_username_is_refused_with_the_api_message(client: httpx.AsyncClient) -> None:
    code = factories.credit_code(9002)
    assert (await _register(client, **GOOD, credit_code=code)).status_code == 303
    client.cookies.clear()
    before = await row_counts()
    taken = await _register(client, **{**GOOD, "username": "another"}, credit_code=code)
    assert taken.status_code == 409 and "该统一社会信用代码已注册" in taken.text
    assert await row_counts() == before


async def test_a_registration_without_the_csrf_field_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/portal/register")
    before = await row_counts()
    response = await client.post("/portal/register", data={**GOOD, "credit_code": factories.credit_code(9003)})
    assert response.status_code == 403
    assert await row_counts() == before


async def test_changing_the_password_keeps_this_session_and_the_new_password_works(
    client: httpx.AsyncClient,
) -> None:
    _, member = await factories.organisation()
    await signed_in(client, member.principal.username)
    token = await csrf_token(client, "/portal/password")

    wrong = await client.post(
        "/portal/password", data={"csrf_token": token, "old_password": "nope", "new_password": "brand-new-secret"}
    )
    assert wrong.status_code == 422 and 'id="old_password-error">当前密码不正确<' in wrong.text
    short = await client.post(
        "/portal/password", data={"csrf_token": token, "old_password": "password-123", "new_password": "x"}
    )
    assert short.status_code == 422 and 'id="new_password-error">至少 8 个字符<' in short.text

    changed = await client.post(
        "/portal/password",
        data={"csrf_token": token, "old_password": "password-123", "new_password": "brand-new-secret"},
    )
    assert changed.status_code == 303
    assert (await client.get("/portal/")).status_code == 200  # still signed in with the fresh token
    client.cookies.clear()
    assert (await portal_login(client, member.principal.username)).status_code == 401
    assert (await portal_login(client, member.principal.username, "brand-new-secret")).status_code == 303


async def test_my_applications_list_in_chinese_and_the_timeline_and_others_get_the_uniform_404(
    client: httpx.AsyncClient,
) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer)
    org_id, member = await factories.organisation()
    other_id, other = await factories.organisation()
    mine = await applications.submitted(client, member, org_id, call["id"])
    theirs = await applications.draft(client, other, other_id, call["id"])
    await signed_in(client, member.principal.username)

    listing = await client.get("/portal/applications")
    assert listing.status_code == 200
    assert f'href="/portal/applications/{mine["id"]}"' in listing.text
    assert f"/portal/applications/{theirs['id']}" not in listing.text
    assert f"{call['programme_name']} · {call['name']}" in listing.text
    assert "已提交" in listing.text and "submitted" not in listing.text
    from datetime import datetime

    submitted_at = shown(datetime.fromisoformat(mine["submitted_at"])).strftime("%Y-%m-%d %H:%M")
    assert submitted_at in listing.text and "共 1 项" in listing.text

    detail = await client.get(f"/portal/applications/{mine['id']}")
    assert detail.status_code == 200 and "办理记录" in detail.text and "提交申报" in detail.text
    assert "申报单位" in detail.text  # the actor by role

    for path in (f"/portal/applications/{theirs['id']}", "/portal/applications/999999"):
        refused = await client.get(path)
        assert refused.status_code == 404 and NOT_FOUND in refused.text, path


async def test_the_applications_page_needs_an_applicant(client: httpx.AsyncClient) -> None:
    assert (await client.get("/portal/applications")).status_code == 303  # to the login page
    expert = await factories.user(Role.expert)
    await signed_in(client, expert.principal.username)
    assert (await client.get("/portal/applications")).status_code == 403


@pytest.fixture
async def low_register_limit(client: httpx.AsyncClient) -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_register_per_username
    settings.rate_limit_register_per_username = "2/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_register_per_username = saved
    await rate_limit.reset()


async def test_registrations_count_with_the_apis_and_are_limited(
    client: httpx.AsyncClient, low_register_limit: None
) -> None:
    # One through the API, one through the page: the API's rule "register", per lower-cased username.
    assert (await client.post("/organisations/register", json={"username": "Sunshine"})).status_code == 422
    assert (await _register(client, **{**GOOD, "password": "short"}, credit_code="")).status_code == 422
    before = await row_counts()

    limited = await _register(client, **GOOD, credit_code=factories.credit_code(9004))

    assert limited.status_code == 429 and "操作过于频繁" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert await row_counts() == before and not client.cookies.get(SESSION_COOKIE)
