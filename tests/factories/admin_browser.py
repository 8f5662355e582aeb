"""What the admin's browser tests share beyond the ``server`` and ``browser`` fixtures: logging an officer in to the
admin in Chromium, and the axe-core check (no serious or critical violation).

The same two steps as tests/admin/test_admin_browser_reader.py's own helpers, here so other browser tests can use them
(a test module never imports another test module).
"""

from __future__ import annotations

from typing import Any

from tests.factories.admin import PASSWORD


async def axe_clean(page: Any) -> None:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


async def admin_login(browser: Any, server: str, username: str) -> Any:
    """A new zh-CN browser context logged in to the admin as ``username``; returns its page."""
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", username)
    await page.fill("input[type=password]", PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=username)).to_be_visible()
    return page
