"""Helpers for the tests of the admin's own pages (app.admin.pages): a form POST through the admin session with its
CSRF field, the uniform 404 text, and for the browser tests the axe-core check and a logged-in Chromium page."""

from __future__ import annotations

from typing import Any
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


async def axe_clean(page: Any) -> None:
    """axe-core on the page as shown: no serious or critical violation."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


async def browser_login(browser: Any, server: str, username: str, password: str) -> Any:
    """A new zh-CN Chromium context logged in to the admin as ``username``; close it with ``page.context.close()``."""
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", username)
    await page.fill("input[type=password]", password)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=username)).to_be_visible()
    return page
