"""Attempt limits on login, registration and reset requests: per address and per username, counted in Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.auth import rate_limit
from app.auth.tables import Role
from app.organisations.tables import Organisation
from app.queue import close_queue
from app.settings import get_settings
from app.site.asgi import create_app
from tests import factories

LOW = {
    "rate_limit_login_per_ip": "8/minute",
    "rate_limit_login_per_username": "3/minute",
    "rate_limit_register_per_ip": "10/hour",
    "rate_limit_register_per_username": "2/hour",
    "rate_limit_reset_per_ip": "6/hour",
    "rate_limit_reset_per_account": "2/hour",
}


@pytest.fixture
async def limits(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Low limits on the shared settings and empty counters, both undone afterwards (other files stay unlimited)."""
    settings = get_settings()
    saved = {name: getattr(settings, name) for name in LOW}
    for name, value in LOW.items():
        setattr(settings, name, value)
    await rate_limit.reset()
    yield
    for name, value in saved.items():
        setattr(settings, name, value)
    await rate_limit.reset()


WRONG = "wrong-password"


def login(username: str, password: str = WRONG) -> dict[str, Any]:
    return {"username": username, "password": password}


def registration(n: int, username: str | None = None) -> dict[str, Any]:
    return {
        "username": username or f"ratelimited{n}",
        "password": "password-123",
        "email": f"ratelimited{n}@example.org",
        "mobile": f"137{n:08d}",
        "name": f"限流测试社会组织{n}",
        "org_type": "social_service_institution",
        "credit_code": factories.credit_code(900_000 + n),
        "district": "changning",
    }


def assert_too_many(response: httpx.Response, field: str | None) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    body = response.json()
    assert body["code"] == "too_many_requests" and "后再试" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ([field] if field else [])


async def test_login_is_limited_per_username_even_with_the_right_password(
    client: httpx.AsyncClient, limits: None
) -> None:
    expert = await factories.user(Role.expert)
    for _ in range(3):
        assert (await client.post("/auth/login", json=login(expert.principal.username))).status_code == 401
    # Case and spaces do not make a new username.
    blocked = await client.post("/auth/login", json=login(f" {expert.principal.username.upper()} ", "password-123"))
    assert_too_many(blocked, "username")
    other = await factories.user(Role.expert)
    assert (await client.post("/auth/login", json=login(other.principal.username, "password-123"))).status_code == 200


async def test_login_is_limited_per_address_across_usernames(app: Any, client: httpx.AsyncClient, limits: None) -> None:
    for n in range(8):
        assert (await client.post("/auth/login", json=login(f"nobody{n}"))).status_code == 401
    assert_too_many(await client.post("/auth/login", json=login("nobody-else")), None)
    # Another client address has its own count.
    elsewhere = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 5000)),
        base_url="http://testserver",
    )
    async with elsewhere:
        assert (await elsewhere.post("/auth/login", json=login("nobody-else"))).status_code == 401


async def test_fifty_concurrent_registrations_from_one_address_create_exactly_the_limit(
    client: httpx.AsyncClient, limits: None
) -> None:
    responses = await asyncio.gather(*(client.post("/organisations/register", json=registration(n)) for n in range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 10 and statuses.count(429) == 40, statuses
    assert await Organisation.count() == 10


async def test_registration_is_limited_per_username(client: httpx.AsyncClient, limits: None) -> None:
    first = await client.post("/organisations/register", json=registration(1, "samename"))
    assert first.status_code == 201
    taken = await client.post("/organisations/register", json=registration(2, "samename"))
    assert taken.status_code == 409
    assert_too_many(await client.post("/organisations/register", json=registration(3, "SameName")), "username")
    assert await Organisation.count() == 1


async def test_reset_requests_are_limited_per_account(client: httpx.AsyncClient, limits: None) -> None:
    for _ in range(2):
        assert (await client.post("/auth/password-reset", json={"account": "x@example.org"})).status_code == 202
    assert_too_many(await client.post("/auth/password-reset", json={"account": "X@example.org"}), "account")


async def test_two_api_processes_share_one_count(client: httpx.AsyncClient, limits: None) -> None:
    """Two app instances stand in for two granian workers: the count lives in Redis, not in either process."""
    second = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(with_admin=False, manage_pool=False)), base_url="http://testserver"
    )
    async with second:
        responses = await asyncio.gather(
            *((client if n % 2 else second).post("/auth/login", json=login("shared")) for n in range(50))
        )
    statuses = [r.status_code for r in responses]
    assert statuses.count(401) == 3 and statuses.count(429) == 47, statuses


async def test_forwarded_address_counts_only_behind_a_trusted_proxy(client: httpx.AsyncClient, limits: None) -> None:
    settings = get_settings()
    settings.rate_limit_trusted_proxies = "127.0.0.1"
    try:
        for n in range(8):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}  # eight different people behind the proxy
            assert (await client.post("/auth/login", json=login(f"p{n}"), headers=headers)).status_code == 401
        assert (await client.post("/auth/login", json=login("p8"))).status_code == 401
    finally:
        settings.rate_limit_trusted_proxies = ""
    # Untrusted: a client cannot dodge the limit by inventing X-Forwarded-For values.
    for n in range(7):
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert (await client.post("/auth/login", json=login(f"q{n}"), headers=headers)).status_code == 401
    assert_too_many(await client.post("/auth/login", json=login("q9"), headers={"X-Forwarded-For": "1.1.1.1"}), None)


async def test_an_unparseable_body_is_counted_per_address_and_rejected(client: httpx.AsyncClient, limits: None) -> None:
    for _ in range(8):
        response = await client.post(
            "/auth/login", content=b'{"username": ', headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500 and response.status_code != 429
    assert_too_many(await client.post("/auth/login", json=login("someone")), None)


async def test_login_still_works_when_redis_is_down(client: httpx.AsyncClient, limits: None) -> None:
    settings = get_settings()
    expert = await factories.user(Role.expert)
    saved = settings.redis_url
    await close_queue()
    settings.redis_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        for _ in range(5):  # over the per-username limit of 3, but nothing can count
            response = await client.post("/auth/login", json=login(expert.principal.username, "password-123"))
            assert response.status_code == 200
    finally:
        settings.redis_url = saved
        await close_queue()
        rate_limit._redis_down_until = 0.0  # count again at once (in production: after REDIS_RETRY_SECONDS)


async def test_the_openapi_document_names_429_on_limited_routes_only(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/auth/login", "/organisations/register", "/auth/password-reset"):
        assert "429" in paths[path]["post"]["responses"], path
    assert "429" not in paths["/auth/refresh"]["post"]["responses"]
