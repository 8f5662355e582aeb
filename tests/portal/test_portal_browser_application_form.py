"""An organisation on a phone (375 px) fills its application form in Chromium: starts a draft from the call page,
answers a conditional field, adds a team member with the script, meets an inline error, fixes it, sees autosave, and
submits through the summary. Screenshots in .seedbed/test/portal/; the axe check on every page."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.auth.tables import Role
from programmes.tables import Application
from tests import factories
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.forms import WIDGET_FORM
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked

pytestmark = pytest.mark.browser


async def _saved_soon(text: str, seconds: float = 20) -> bool:
    """Whether the draft's stored answers contain ``text`` within ``seconds`` (an autosave may still be in flight)."""
    for _ in range(int(seconds * 4)):
        row = await Application.select(Application.answers).where(Application.title == "银龄助餐·社区食堂").first()
        if row is not None and text in str(row["answers"]):
            return True
        await asyncio.sleep(0.25)
    return False


async def test_an_organisation_fills_and_submits_its_application_form_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, form_schema=WIDGET_FORM)
    _, member = await factories.organisation()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", member.principal.username)
        await page.fill("#password", "password-123")
        await page.get_by_role("button", name="登录").click()
        await page.goto(f"{server}/portal/calls/{call['id']}")
        await page.fill("#title", "银龄助餐·社区食堂")
        await _checked(page, "call-start.png")
        await page.get_by_role("button", name="开始申报").click()
        await expect(page.get_by_role("heading", name="填写申报表")).to_be_visible()

        # The conditional field appears once its condition holds.
        partner = page.locator("#f-partner_name")
        await expect(partner).to_be_hidden()
        await page.get_by_role("radio", name="是").check()
        await expect(partner).to_be_visible()

        await page.fill("#f-project_name", "银龄助餐·社区食堂")
        await page.fill("#f-summary", "为社区独居老人提供助餐与陪伴服务。")
        await page.fill("#f-beneficiaries", "120")
        await page.fill("#f-budget_total", "30000")
        await page.fill("#f-team-0-name", "王小梅")
        await page.get_by_role("button", name="添加成员").click()  # the script adds the item in place
        await expect(page.locator("#f-team-1-name")).to_be_focused()
        await page.fill("#f-team-1-name", "李强")
        await page.fill("#f-team-1-age", "15")
        await page.locator("#f-team-1-age").blur()  # leaving a field autosaves
        await expect(page.locator("[data-autosave-status]")).to_contain_text("已自动保存")
        assert await _saved_soon("李强"), "the autosave did not store the added member"
        await _checked(page, "form-filled.png")

        await page.get_by_role("button", name="提交", exact=True).click()
        await expect(page.locator("#f-partner_name-error")).to_have_text("合作方名称：此项为必填项")
        await expect(page.locator("#f-team-1-age-error")).to_have_text("团队成员 2 · 年龄：不能小于 16")
        await expect(page.get_by_role("heading", name="请修改以下 2 处")).to_be_visible()
        await _checked(page, "form-errors.png")

        await page.fill("#f-partner_name", "某某街道社区食堂")
        await page.fill("#f-team-1-age", "28")
        await page.get_by_role("button", name="提交", exact=True).click()
        await expect(page.get_by_role("heading", name="确认提交：银龄助餐·社区食堂")).to_be_visible()
        await expect(page.get_by_text("某某街道社区食堂")).to_be_visible()
        await _checked(page, "form-summary.png")
        await page.get_by_role("button", name="确认提交").click()
        await expect(page.get_by_role("status")).to_have_text("申报已提交：银龄助餐·社区食堂")
        await expect(page.get_by_role("heading", name="资格审查")).to_be_visible()
        await _checked(page, "application-submitted.png")
    finally:
        await context.close()
