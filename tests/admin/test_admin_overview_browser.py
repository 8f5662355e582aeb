"""The overview in Debian's Chromium: reached from the sidebar, axe-core finds nothing serious, screenshots kept."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin import PASSWORD, draft_batch
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

SHOTS = ROOT / ".seedbed" / "test" / "admin-overview"

pytestmark = pytest.mark.browser


async def _look(server: str, browser: Any, user: factories.User, name: str) -> str:  # noqa: F811
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        await page.goto(f"{server}/admin/")
        await page.fill("input[name=username]", user.principal.username)
        await page.fill("input[type=password]", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        # The overview is the sidebar's own link.
        await page.get_by_role("link", name="首页概览").first.click()
        await expect(page.get_by_role("heading", name="首页概览", level=1)).to_be_visible()
        await expect(page.get_by_role("heading", name="资金（按资金来源，元）")).to_be_visible()
        download = page.get_by_role("link", name="下载「申报情况（按状态、赛道、申报机构所在区）」（xlsx）")
        await expect(download).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        await page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # the first screen, for docs/admin.md

        results = await Axe().run(page)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])})"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not serious, serious
        # Nothing came from anywhere but this server (the intranet rule).
        assert all(url.startswith(server) or url.startswith("data:") for url in requests), requests
        text: str = await page.inner_text("main")
        return text
    finally:
        await context.close()


async def test_officers_see_their_overview_in_a_browser(server: str, browser: Any) -> None:  # noqa: F811
    city = await factories.user(Role.officer)
    await draft_batch(city, District.changning)
    await draft_batch(city, District.pudong)
    await factories.contest_round(city, district=District.changning)
    await factories.contest_round(city)
    changning = await factories.user(Role.officer, District.changning)

    everything = await _look(server, browser, city, "city-officer")
    assert "浦东新区" in everything and "长宁区" in everything and "200,000.00" in everything

    district = await _look(server, browser, changning, "district-officer")
    assert "长宁区" in district and "浦东新区" not in district and "100,000.00" in district
