"""Health, request ids, the append-only audit log and the `seedbed` command line."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE

import httpx
import pytest
from asyncpg.exceptions import InsufficientPrivilegeError

from app.audit import AuditEntry, record
from app.auth.tables import Account


async def test_health_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_request_id_is_echoed_and_stored_in_the_audit_log(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/organisations/register",
        json={
            "username": "traced",
            "password": "password-123",
            "email": "traced@example.org",
            "mobile": "13800138003",
            "name": "可追踪组织",
            "org_type": "foundation",
            "credit_code": "53310104MJ0000001F",
            "district": "xuhui",
        },
        headers={"X-Request-ID": "req-abc-123"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "req-abc-123"
    rows = await AuditEntry.select(AuditEntry.request_id).where(AuditEntry.action == "organisation.register")
    assert rows == [{"request_id": "req-abc-123"}]
    generated = await client.get("/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces" and len(generated.headers["x-request-id"]) == 32


async def test_audit_log_is_append_only(client: httpx.AsyncClient) -> None:
    await record(actor_id=None, actor_role="system", action="test.write", object_type="test", object_id=1)
    # The app role lacks the privilege; the trigger behind it (for the owner) is tested in test_database_roles.py.
    with pytest.raises(InsufficientPrivilegeError):
        await AuditEntry.update({AuditEntry.reason: "rewritten"}).where(AuditEntry.action == "test.write")
    with pytest.raises(InsufficientPrivilegeError):
        await AuditEntry.delete().where(AuditEntry.action == "test.write")
    assert await AuditEntry.count() == 1


async def seedbed(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.site.cli", *args, env=dict(os.environ), stdout=PIPE, stderr=PIPE
    )
    _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_cli_creates_officers_and_experts(client: httpx.AsyncClient) -> None:
    for args in (
        ["create-officer", "cli_officer", "--password", "password-123", "--district", "yangpu"],
        ["create-expert", "cli_expert", "--password", "password-123"],
    ):
        returncode, stderr = await seedbed(*args)
        assert returncode == 0, stderr
    rows = await Account.select(Account.role, Account.district, Account.user.username).order_by(Account.id)
    assert rows == [
        {"role": "officer", "district": "yangpu", "user.username": "cli_officer"},
        {"role": "expert", "district": None, "user.username": "cli_expert"},
    ]
    returncode, stderr = await seedbed("create-expert", "cli_expert", "--password", "password-123")
    assert returncode == 1 and "username_taken" in stderr


async def test_demo_data_loads_once(client: httpx.AsyncClient) -> None:
    from app.site.demo import DEMO_LOGINS, load_demo

    assert await load_demo() is True
    assert await load_demo() is False
    logins = [(u, p) for _, u, p in DEMO_LOGINS]
    for username, password in logins:
        response = await client.post("/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, (username, response.text)
    calls = (await client.get("/calls")).json()
    assert sorted(c["name"] for c in calls) == ["优质项目遴选", "初赛", "服务供给登记"]
    # Last year's winner is funded: agreement in force, first tranche payable, a milestone report owed, books clean.
    login = await client.post("/auth/login", json={"username": "sunshine", "password": "sunshine-pass-2026"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # Its two agreements: the contest award (the first) and the 沪社星耀 project (app/site/demo/incubation.py).
    agreements = (await client.get("/agreements", headers=headers)).json()
    agreement, incubated = sorted(agreements, key=lambda a: a["award_id"])
    assert agreement["status"] == "effective" and incubated["status"] == "effective"
    # 20 万元 is above the four-eyes amount: `officer` countersigned first, `reviewer` second.
    assert None not in (agreement["first_countersigned_by"], agreement["countersigned_by"])
    assert agreement["first_countersigned_by"] != agreement["countersigned_by"]
    assert [t["status"] for t in agreement["tranches"]] == ["released", "planned", "planned"]
    assert [(r["kind"], r["status"]) for r in agreement["reports"]] == [("milestone", "due"), ("final", "due")]
    from programmes.disbursements.reconciliation import reconcile

    assert (await reconcile()).ok
