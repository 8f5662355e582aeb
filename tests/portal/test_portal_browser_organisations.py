"""An organisation on a phone (375 px): registers (a field error first, then signed in), opens its applications and
one application's timeline, and meets a field error on the change-password page; Chromium, screenshots in
.seedbed/test/portal/ and the axe check on every page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from tests import factories
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked

pytestmark = pytest.mark.browser


async def test_an_organisation_registers_and_follows_its_applications_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.get_by_role("link", name="申报单位注册").click()
        await expect(page.get_by_role("heading", name="申报单位注册")).to_be_visible()
        await page.select_option("#org_type", label="社会服务机构（民办非企业单位）")
        await page.fill("#credit_code", factories.credit_code(9101))
        await page.fill("#name", "长宁区阳光睦邻服务中心")
        await page.select_option("#district", label="长宁区")
        await page.select_option("#street", label="新华路街道")
        await page.fill("#username", "sunshine")
        await page.fill("#password", "short")
        await page.fill("#email", "contact@sunshine.example.org")
        await page.fill("#mobile", "13800138000")
        await page.get_by_role("button", name="注册并登录").click()
        await expect(page.locator("#password-error")).to_have_text("至少 8 个字符")
        await expect(page.locator("#name")).to_have_value("长宁区阳光睦邻服务中心")
        await _checked(page, "register-error.png")

        await page.fill("#password", "a-long-secret")
        await page.get_by_role("button", name="注册并登录").click()
        await expect(page.get_by_role("status")).to_have_text("注册成功，欢迎长宁区阳光睦邻服务中心")
        await page.get_by_role("link", name="我的申报").click()
        await expect(page.get_by_text("还没有申报")).to_be_visible()
        await _checked(page)

        await page.goto(f"{server}/portal/password")
        await page.fill("#old_password", "wrong-password")
        await page.fill("#new_password", "brand-new-secret")
        await page.get_by_role("button", name="修改密码").click()
        await expect(page.locator("#old_password-error")).to_have_text("当前密码不正确")
        await _checked(page, "password-error.png")
    finally:
        await context.close()

    # An organisation with a submitted application follows it.
    org_id, member = await factories.organisation()
    async with httpx.AsyncClient(base_url=server) as api:
        created = await api.post(
            "/applications",
            json={
                "round_id": call["id"],
                "organisation_id": org_id,
                "title": "社区睦邻计划",
                "answers": factories.GOOD_ANSWERS,
            },
            headers=member.headers,
        )
        assert created.status_code == 201, created.text
        submitted = await api.post(f"/applications/{created.json()['id']}/submit", headers=member.headers)
        assert submitted.status_code == 200, submitted.text
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", member.principal.username)
        await page.fill("#password", "password-123")
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("link", name="我的申报").click()
        await expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
        await expect(page.get_by_text("状态：已提交")).to_be_visible()
        await _checked(page, "applications.png")
        await page.get_by_role("link", name="社区睦邻计划").click()
        await expect(page.get_by_role("heading", name="办理记录")).to_be_visible()
        await _checked(page, "application-timeline.png")
    finally:
        await context.close()
