"""Password reset by e-mailed code: same answer for every account, single use, expiring, stored hashed."""

from __future__ import annotations

import asyncio

import httpx
from piccolo.apps.user.tables import BaseUser

from app.audit import AuditEntry
from app.auth.tables import PasswordResetToken, Role
from app.notifications import Notification
from app.notifications.email import send_pending_emails
from tests import factories
from tests.factories.smtp import ADDRESS, FakeSMTP, reset_code

NEW_PASSWORD = "reset-secret-42"


async def expert_with_address() -> factories.User:
    expert = await factories.user(Role.expert)
    await BaseUser.update({BaseUser.email: ADDRESS}).where(BaseUser.id == expert.id)
    return expert


async def test_reset_by_emailed_code_sets_the_password_and_signs_out(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    expert = await expert_with_address()
    session = (
        await client.post("/auth/login", json={"username": expert.principal.username, "password": "password-123"})
    ).json()

    asked = await client.post("/auth/password-reset", json={"account": "Zhao.Lei@example.org"})
    assert asked.status_code == 202
    code = await reset_code(smtp)
    # Only the hash is stored; the in-app notice and the sent notification no longer hold the code.
    [stored] = await PasswordResetToken.select(PasswordResetToken.token_hash)
    assert code not in stored["token_hash"] and len(stored["token_hash"]) == 64
    [notice] = await Notification.select(Notification.body, Notification.email_body)
    assert notice["email_body"] is None and code not in notice["body"]

    done = await client.post("/auth/password-reset/confirm", json={"token": code, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    login = await client.post("/auth/login", json={"username": expert.principal.username, "password": NEW_PASSWORD})
    assert login.status_code == 200
    stale = await client.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert stale.status_code == 401 and stale.json()["code"] == "token_revoked"

    reused = await client.post("/auth/password-reset/confirm", json={"token": code, "new_password": "another-one-9"})
    assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "token"
    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.before, AuditEntry.after).where(
        AuditEntry.action.like("account.password_reset%")
    )
    assert sorted(e["action"] for e in entries) == ["account.password_reset", "account.password_reset_request"]
    assert all(e["before"] is None and e["after"] is None for e in entries)  # no secrets in the log


async def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    placeholder = await factories.user(Role.expert)  # no real address on file
    answers = [
        await client.post("/auth/password-reset", json={"account": account})
        for account in ("nobody@example.org", "no-such-user", placeholder.principal.username)
    ]
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}
    assert await send_pending_emails() == 0 and smtp.messages == []
    assert await PasswordResetToken.count() == 0


async def test_an_expired_or_unknown_code_changes_nothing(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    expert = await expert_with_address()
    await client.post("/auth/password-reset", json={"account": expert.principal.username})
    code = await reset_code(smtp)
    await PasswordResetToken.update({PasswordResetToken.expires_at: PasswordResetToken.created_at}, force=True)
    for token in (code, "x" * 43):
        refused = await client.post("/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
        assert refused.status_code == 422 and refused.json()["code"] == "reset_token_invalid"
    login = await client.post("/auth/login", json={"username": expert.principal.username, "password": "password-123"})
    assert login.status_code == 200


async def test_fifty_concurrent_uses_of_one_code_succeed_exactly_once(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    expert = await expert_with_address()
    await client.post("/auth/password-reset", json={"account": ADDRESS})
    code = await reset_code(smtp)
    responses = await asyncio.gather(
        *(
            client.post("/auth/password-reset/confirm", json={"token": code, "new_password": f"{NEW_PASSWORD}-{n}"})
            for n in range(50)
        )
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(204) == 1 and statuses.count(422) == 49, statuses
    winner = next(n for n, r in enumerate(responses) if r.status_code == 204)
    assert await AuditEntry.count().where(AuditEntry.action == "account.password_reset") == 1
    assert await PasswordResetToken.count().where(PasswordResetToken.used_at.is_null()) == 0
    for n in (winner, (winner + 1) % 50):
        login = await client.post(
            "/auth/login", json={"username": expert.principal.username, "password": f"{NEW_PASSWORD}-{n}"}
        )
        assert login.status_code == (200 if n == winner else 401)
