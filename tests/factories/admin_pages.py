"""Helpers for the tests of the admin's own pages (app.admin.pages): a form POST through the admin session with its
CSRF field, the uniform 404 text (the browser tests' login and axe check are in tests.factories.admin_browser)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from tests.factories.admin import AdminSession

NOT_FOUND = "记录不存在或不在您的管辖范围内"


async def post_form(session: AdminSession, url: str, **fields: object) -> httpx.Response:
    """A page's form as the browser sends it: urlencoded, with Piccolo's ``csrftoken`` cookie repeated."""
    body = [("csrftoken", session.http.cookies.get("csrftoken") or ""), *((k, str(v)) for k, v in fields.items())]
    return await session.http.post(
        url, content=urlencode(body), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
