"""An applicant on a phone (375 px): logs in, reaches the home page and the open calls, logs out; Chromium with
screenshots in .seedbed/test/portal/ and the axe check on every page."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.tables import Role
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.admin_browser import axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

pytestmark = pytest.mark.browser

SHOTS = ROOT / ".seedbed" / "test" / "portal"
PHONE = {"width": 375, "height": 800}


async def _fits_the_phone(page: Any) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def test_an_applicant_logs_in_on_a_phone_and_finds_the_open_calls(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer)
    applicant = await factories.user(Role.applicant)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/")  # not signed in: sent to the login page
        await expect(page.get_by_role("heading", name="登录")).to_be_visible()
        await page.fill("#username", applicant.principal.username)
        await page.fill("#password", "wrong-password")
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
        await axe_clean(page)
        await _fits_the_phone(page)
        await page.screenshot(path=str(SHOTS / "login-error.png"), full_page=True)

        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("status")).to_have_text("登录成功")
        await expect(page.get_by_role("heading", name=f"您好，{applicant.principal.username}")).to_be_visible()
        await axe_clean(page)
        await _fits_the_phone(page)
        await page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

        await page.get_by_role("navigation", name="主导航").get_by_role("link", name="征集中的项目").click()
        link = page.get_by_role("link", name=f"{call['programme_name']} · {call['name']}")
        await expect(link).to_be_visible()
        await axe_clean(page)
        await _fits_the_phone(page)
        await page.screenshot(path=str(SHOTS / "calls.png"), full_page=True)

        await link.click()
        await expect(page.get_by_text("申报截止")).to_be_visible()
        await axe_clean(page)

        await page.get_by_role("button", name="退出登录").click()
        await expect(page.get_by_role("status")).to_have_text("您已退出登录")
    finally:
        await context.close()
