"""Signing in to the portal (/portal) through its login form, for the portal's HTTP and browser tests."""

from __future__ import annotations

import re

import httpx

from app.portal.session import CSRF_COOKIE, SESSION_COOKIE
from tests.factories.admin import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/portal/login") -> str:
    """The token a portal page's forms carry (the page also sets it as the CSRF cookie)."""
    page = await client.get(path)
    match = CSRF_INPUT.search(page.text)
    assert match, page.text[:500]
    assert client.cookies.get(CSRF_COOKIE) == match.group(1)
    return match.group(1)


async def portal_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/portal/login", data={"csrf_token": token, "username": username, "password": password, "next_page": ""}
    )


async def signed_in(client: httpx.AsyncClient, username: str) -> httpx.AsyncClient:
    response = await portal_login(client, username)
    assert response.status_code == 303, response.text
    assert client.cookies.get(SESSION_COOKIE)
    return client
