"""An expert on a phone (375 px) scores a blind application: the list, the application by its labels, one N/A, the
comment the low score asks for, submit; Chromium with screenshots in .seedbed/test/portal/ and the axe check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from programmes.tables import Criterion
from tests.factories.admin import PASSWORD
from tests.factories.admin_browser import axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.http import ok
from tests.factories.review import CANARY, setup_round

pytestmark = pytest.mark.browser

SHOTS = ROOT / ".seedbed" / "test" / "portal"
PHONE = {"width": 375, "height": 800}


async def _checked(page: Any) -> None:
    await axe_clean(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert CANARY not in await page.content()


async def test_an_expert_scores_a_blind_application_with_one_na_on_a_phone(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    async with httpx.AsyncClient(base_url=server) as api:
        world = await setup_round(api, experts=2, applications=1, blind=True)
        await Criterion.update({Criterion.allow_na: True}).where(Criterion.code == "innovation")
        await Criterion.update({Criterion.comment_below: 60}).where(Criterion.code == "feasibility")
        ok(await api.post(f"/rounds/{world['round']['id']}/assignments", headers=world["officer"].headers), 201)
    expert = world["experts"][0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", expert.principal.username)
        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("link", name="我的评审任务").click()
        await expect(page.get_by_role("heading", name="我的评审任务")).to_be_visible()
        await expect(page.get_by_text("待评审")).to_be_visible()
        await _checked(page)
        await page.screenshot(path=str(SHOTS / "reviews.png"), full_page=True)

        await page.locator(".card h2 a").first.click()
        await expect(page.get_by_role("heading", name="申报内容")).to_be_visible()
        await expect(page.get_by_text("项目简介")).to_be_visible()
        await page.get_by_label("不适用").check()
        await page.get_by_label("可行性得分").fill("50")
        await page.get_by_role("button", name="提交评分").click()
        await expect(page.locator("#error-comment")).to_contain_text("请填写评语")
        await expect(page.get_by_role("alert")).to_be_visible()
        await _checked(page)
        await page.screenshot(path=str(SHOTS / "review-error.png"), full_page=True)

        await page.get_by_role("textbox", name="评语").fill("预算说明不足，执行计划可行性一般")
        await page.get_by_role("button", name="提交评分").click()
        await expect(page.get_by_role("status")).to_have_text("评分已提交")
        await expect(page.get_by_text("已提交评分")).to_be_visible()
        await _checked(page)
        await page.screenshot(path=str(SHOTS / "review-submitted.png"), full_page=True)
    finally:
        await context.close()
