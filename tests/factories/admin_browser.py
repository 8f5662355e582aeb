"""What the admin's browser tests share beyond the ``server`` and ``browser`` fixtures: logging an officer in to the
admin in Chromium, and the axe-core check (no serious or critical violation).

Every admin browser test logs in and checks accessibility through these two (a test module never imports another
test module).
"""

from __future__ import annotations

from typing import Any

from tests.factories.admin import PASSWORD


async def axe_clean(page: Any) -> None:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


async def admin_login(
    browser: Any,
    server: str,
    username: str,
    password: str = PASSWORD,
    *,
    viewport_width: int = 1280,
    downloads: bool = False,
) -> Any:
    """A new zh-CN browser context logged in to the admin as ``username``; returns its page (close it with
    ``page.context.close()``). ``downloads`` lets the page save files (the xlsx exports)."""
    from playwright.async_api import expect

    context = await browser.new_context(
        locale="zh-CN", viewport={"width": viewport_width, "height": 900}, accept_downloads=downloads
    )
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", username)
    await page.fill("input[type=password]", password)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=username)).to_be_visible()
    return page
