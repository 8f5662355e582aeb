"""Helpers for the Piccolo Admin tests: one logged-in httpx client per user, over the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin import AdminFactory, AdminSession, client_addresses
from tests.factories.worker import run_worker_burst  # noqa: F401 — re-exported for the admin tests


@pytest.fixture(autouse=True)
async def forget_jobs() -> AsyncIterator[None]:
    """Drop this run's arq queue, jobs and results after each admin test.

    Ids are unique for the whole run (tables are emptied without restarting their identities), but the test
    server and the in-process app share one queue: a job left queued by one test would be run by whatever worker
    burst a later test starts, against rows that no longer exist.
    """
    yield
    from redis.asyncio import Redis

    from app.settings import get_settings

    settings = get_settings()
    redis = Redis.from_url(settings.effective_redis_url)
    try:
        keys = [settings.queue_name, f"{settings.queue_name}:health-check"]
        async for key in redis.scan_iter(match=f"arq:*{settings.queue_name}:*", count=500):
            keys.append(key)
        await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
async def admin_client(app: object, db: None) -> AsyncIterator[AdminFactory]:
    """``await admin_client(role, district)``: a new account of that role, logged in to the admin.

    ``login=False`` returns the client before logging in (after the CSRF cookie is set).
    """
    async with AsyncExitStack() as stack:

        async def make(
            role: Role | None = Role.officer, district: District | None = None, *, login: bool = True
        ) -> AdminSession:
            n = next(client_addresses)
            transport = httpx.ASGITransport(app=app, client=(f"10.9.{n // 250}.{n % 250 + 1}", 40000))  # type: ignore[arg-type]
            http = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
            user = await factories.user(role, district) if role is not None else None
            session = AdminSession(http, user)
            await session.start()
            if login:
                assert user is not None
                response = await session.login(user.principal.username)
                assert response.status_code == 200, response.text
            return session

        yield make
