"""聚力计划 in the back office, in Chromium: the demo officer finds the 聚力计划 forms, promotes nothing twice, and the
pages the zh-CN guide shows render. Screenshots go to ``.seedbed/test/matching/`` (docs/images/matching/ holds the
ones the guide uses, copied from a run)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from app.site.demo import load_demo
from programmes.matching.tables import MatchingCase
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — fixtures shared with the admin browser tests

SHOTS = ROOT / ".seedbed" / "test" / "matching"
LOGIN = ("officer", "officer-pass-2026")

pytestmark = pytest.mark.browser


async def test_matching_forms_render_for_the_demo_officer(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    assert await load_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await page.goto(f"{server}/admin/")
        await page.fill("input[name=username]", LOGIN[0])
        await page.fill("input[type=password]", LOGIN[1])
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("link", name=LOGIN[0])).to_be_visible()
        forms = await (await page.request.get(f"{server}/admin/api/forms/")).json()
        slugs = {f["name"]: f["slug"] for f in forms}
        for name in ("聚力计划需求审核", "开启对接活动", "预览对接结果", "调整对接结果", "发布对接结果", "推荐案例"):
            await page.goto(f"{server}/admin/#/forms/{quote(slugs[name])}/")
            await expect(page.locator("[data-uitest=submit_custom_form_button]")).to_be_visible()
            await page.screenshot(path=str(SHOTS / f"form-{slugs[name]}.png"), full_page=True)
        # The demo's evaluated order is already a case: the form says so in Chinese.
        await page.goto(f"{server}/admin/#/forms/{quote(slugs['推荐案例'])}/")
        # The order's own id: ids are not restarted between tests, so the demo's order is not always number 1.
        case = await MatchingCase.select(MatchingCase.order).first()
        assert case is not None
        await page.fill("input[name=order_id]", str(case["order"]))
        await page.fill("input[name=title]", "重复推荐")
        await page.fill("textarea[name=summary], input[name=summary]", "再次推荐同一订单")
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.get_by_text("该订单已推荐为案例")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "case-refused.png"), full_page=True)
        await page.goto(f"{server}/admin/#/demand/")
        await expect(page.get_by_text("老年人智能手机课堂")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "demand-list.png"), full_page=True)
    finally:
        await context.close()
