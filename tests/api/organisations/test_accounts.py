"""Self-service accounts: contact details at registration and after, password change, logout by token version."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest
from piccolo.apps.user.tables import BaseUser

from app.audit import AuditEntry
from app.auth.tables import Account, Role
from tests import factories
from tests.factories.world import row_counts

PASSWORD = "password-123"


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "username": "contactorg",
        "password": PASSWORD,
        "email": "Li.Ming@Example.org",
        "mobile": "+86 138-0013-8000",
        "name": "联系方式测试社会组织",
        "org_type": "social_service_institution",
        "credit_code": factories.credit_code(800_001),
        "district": "changning",
    }
    return {**body, **overrides}


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_registration_captures_a_normalised_email_and_mobile(client: httpx.AsyncClient) -> None:
    response = await client.post("/organisations/register", json=registration())
    assert response.status_code == 201, response.text
    tokens = await sign_in(client, "contactorg")
    account = (await client.get("/auth/account", headers=bearer(tokens))).json()
    assert account["email"] == "li.ming@example.org" and account["mobile"] == "13800138000"
    assert account["role"] == "applicant" and account["username"] == "contactorg"
    stored = await BaseUser.select(BaseUser.email).where(BaseUser.username == "contactorg").first()
    assert stored == {"email": "li.ming@example.org"}  # the column notifications are e-mailed to


@pytest.mark.parametrize(
    ("overrides", "field", "message_part"),
    [
        ({"email": "not-an-address"}, "email", "邮箱格式不正确"),
        ({"email": "someone@users.seedbed.invalid"}, "email", "邮箱格式不正确"),  # the placeholder domain
        ({"mobile": "12800138000"}, "mobile", "手机号"),
        ({"mobile": "1380013800"}, "mobile", "手机号"),
        ({"email": None}, "email", ""),
    ],
)
async def test_registration_refuses_bad_contact_details_and_writes_nothing(
    client: httpx.AsyncClient, overrides: dict[str, Any], field: str, message_part: str
) -> None:
    before = await row_counts()
    body = registration(**overrides)
    if overrides.get("email", "") is None:
        del body["email"]
    response = await client.post("/organisations/register", json=body)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field and message_part in error["message"]
    assert await row_counts() == before


async def test_an_email_belongs_to_one_account(client: httpx.AsyncClient) -> None:
    assert (await client.post("/organisations/register", json=registration())).status_code == 201
    again = await client.post(
        "/organisations/register",
        json=registration(
            username="secondorg", email="LI.MING@example.org", credit_code=factories.credit_code(800_002)
        ),
    )
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    assert again.json()["errors"][0]["field"] == "email"


async def test_contact_details_are_editable_validated_and_audited(client: httpx.AsyncClient) -> None:
    expert = await factories.user(Role.expert)
    account = (await client.get("/auth/account", headers=expert.headers)).json()
    assert account["email"] is None and account["mobile"] is None  # invited without: the placeholder is hidden

    for body, field in (({"email": "bad@"}, "email"), ({"mobile": "999"}, "mobile"), ({"email": None}, "email")):
        refused = await client.patch("/auth/account", json=body, headers=expert.headers)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    assert await AuditEntry.count().where(AuditEntry.action == "account.contact_update") == 0

    updated = await client.patch(
        "/auth/account", json={"email": "wang.fang@example.org", "mobile": "13912345678"}, headers=expert.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["email"] == "wang.fang@example.org" and updated.json()["mobile"] == "13912345678"
    [entry] = await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.actor_id).where(
        AuditEntry.action == "account.contact_update"
    )
    assert entry["actor_id"] == expert.id
    assert json.loads(entry["before"]) == {"email": None, "mobile": None}
    assert json.loads(entry["after"]) == {"email": "wang.fang@example.org", "mobile": "13912345678"}

    cleared = await client.patch("/auth/account", json={"mobile": None}, headers=expert.headers)
    assert cleared.json()["mobile"] is None

    other = await factories.user(Role.applicant)
    taken = await client.patch("/auth/account", json={"email": "Wang.Fang@example.org"}, headers=other.headers)
    assert taken.status_code == 409 and taken.json()["code"] == "email_taken"


async def test_the_database_refuses_a_malformed_mobile(client: httpx.AsyncClient) -> None:
    expert = await factories.user(Role.expert)
    with pytest.raises(asyncpg.CheckViolationError):
        await Account.update({Account.mobile: "12345"}).where(Account.user == expert.id)


async def test_password_change_needs_the_old_password_and_signs_out_other_sessions(
    client: httpx.AsyncClient,
) -> None:
    expert = await factories.user(Role.expert)
    laptop = await sign_in(client, expert.principal.username)
    phone = await sign_in(client, expert.principal.username)

    wrong = await client.post(
        "/auth/password", json={"old_password": "not-it", "new_password": "a-new-secret-1"}, headers=bearer(laptop)
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "old_password"
    same = await client.post(
        "/auth/password", json={"old_password": PASSWORD, "new_password": PASSWORD}, headers=bearer(laptop)
    )
    assert same.status_code == 422 and same.json()["code"] == "password_unchanged"
    await sign_in(client, expert.principal.username)  # nothing changed yet

    changed = await client.post(
        "/auth/password", json={"old_password": PASSWORD, "new_password": "a-new-secret-1"}, headers=bearer(laptop)
    )
    assert changed.status_code == 200, changed.text
    # The other device's refresh token is dead; the new pair (returned to the caller) works.
    stale = await client.post("/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert stale.status_code == 401 and stale.json()["code"] == "token_revoked"
    fresh = await client.post("/auth/refresh", json={"refresh_token": changed.json()["refresh_token"]})
    assert fresh.status_code == 200
    old = await client.post("/auth/login", json={"username": expert.principal.username, "password": PASSWORD})
    assert old.status_code == 401
    await sign_in(client, expert.principal.username, "a-new-secret-1")

    entries = await AuditEntry.select().where(AuditEntry.action == "account.password_change")
    assert len(entries) == 1 and entries[0]["actor_id"] == expert.id
    logged = json.dumps(entries, default=str)
    assert "a-new-secret-1" not in logged and PASSWORD not in logged and "pbkdf2" not in logged


async def test_logout_revokes_every_refresh_token_of_the_account(client: httpx.AsyncClient) -> None:
    applicant = await factories.user(Role.applicant)
    first = await sign_in(client, applicant.principal.username)
    second = await sign_in(client, applicant.principal.username)
    assert (await client.post("/auth/logout", headers=bearer(first))).status_code == 204
    for tokens in (first, second):
        refused = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    # Tokens issued before the versions existed (factories issue version 0) are refused too.
    legacy = await client.post("/auth/refresh", json={"refresh_token": applicant.refresh_token})
    assert legacy.status_code == 401
    again = await sign_in(client, applicant.principal.username)
    assert (await client.post("/auth/refresh", json={"refresh_token": again["refresh_token"]})).status_code == 200
    assert await AuditEntry.count().where(AuditEntry.action == "account.logout") == 1


async def test_account_routes_need_a_signed_in_user(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/auth/account"), ("PATCH", "/auth/account"), ("POST", "/auth/password")):
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
    assert (await client.post("/auth/logout")).status_code == 401


async def test_a_deactivated_account_cannot_log_in(client: httpx.AsyncClient) -> None:
    expert = await factories.user(Role.expert)
    await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == expert.id)
    refused = await client.post("/auth/login", json={"username": expert.principal.username, "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["code"] == "login_failed"
