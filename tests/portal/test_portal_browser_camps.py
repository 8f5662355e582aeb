"""An organisation on a phone (375 px) registers for a camp, opens the check-in page of today's session, meets the
wrong-code refusal and checks in with the trainer's code; Chromium, screenshots in .seedbed/test/portal/ and the axe
check on every page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import today_shanghai
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.camps import camp_body
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _patient_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # Importing the app took 87 s here while eight people's tests shared the 2 cores (90 s is the default wait).
    import tests.factories.browser as browser_fixtures

    monkeypatch.setattr(browser_fixtures, "STARTUP_SECONDS", 300)


async def _camp_today(base: str, officer: factories.User) -> tuple[int, int]:
    """An open 品牌塑造营 in 长宁 whose one session runs all of today (Beijing), so its check-in window is open."""
    async with httpx.AsyncClient(base_url=base, headers=officer.headers) as api:
        camp = (await api.post("/camps", json=camp_body(title="2026 品牌塑造营（第一期）", capacity=20))).json()
        session = await api.post(
            f"/camps/{camp['id']}/sessions",
            json={
                "title": "品牌定位与传播",
                "session_date": today_shanghai().isoformat(),
                "start_time": "00:00",
                "end_time": "23:59",
                "place": "长宁区社会组织服务中心 301 室",
                "trainer": "李老师",
            },
        )
        assert session.status_code == 201, session.text
        assert (await api.post(f"/camps/{camp['id']}/open")).status_code == 200
    return int(camp["id"]), int(session.json()["id"])


async def test_an_organisation_registers_for_a_camp_and_checks_in_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    officer = await factories.user(Role.officer, District.changning)
    _, member = await factories.organisation(District.changning, name="阳光社工服务社")
    _, session_id = await _camp_today(server, officer)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", member.principal.username)
        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("link", name="训练营", exact=True).click()
        await expect(page.get_by_role("heading", name="训练营", exact=True)).to_be_visible()
        await expect(page.get_by_text("名额：共 20 个，剩余 20 个")).to_be_visible()
        await _checked(page, "camps.png")

        await page.get_by_role("link", name="2026 品牌塑造营（第一期）").click()
        await page.fill("#p0-name", "张三")
        await page.fill("#p0-position", "项目主管")
        await page.fill("#p0-mobile", "1380013800")  # one digit short: the API's message
        await page.get_by_role("button", name="提交报名").click()
        await expect(page.locator("#p0-mobile-error")).to_contain_text("手机号应为 11 位")
        await _checked(page, "camp-register-error.png")
        await page.fill("#p0-mobile", "13800138000")
        await page.get_by_role("button", name="提交报名").click()
        await expect(page.get_by_role("status")).to_have_text("报名成功，已获得名额")
        await _checked(page, "camp-registration.png")

        async with httpx.AsyncClient(base_url=server, headers=officer.headers) as api:
            issued = await api.post(f"/camps/sessions/{session_id}/checkin-code")
            assert issued.status_code == 201, issued.text
            code = issued.json()["code"]
        await page.get_by_role("link", name="签到：品牌定位与传播").click()
        await expect(page.get_by_role("heading", name="课程签到")).to_be_visible()
        await page.fill("#code", f"{(int(code) + 1) % 1_000_000:06d}")
        await page.get_by_role("button", name="签到").click()
        await expect(page.locator("#code-error")).to_have_text("签到码错误或已失效")
        await _checked(page, "camp-checkin-wrong.png")
        await page.fill("#code", code)
        await page.get_by_role("button", name="签到").click()
        await expect(page.get_by_role("status")).to_contain_text("签到成功")
        await _checked(page)

        # The QR code on the trainer's screen is a link to the same page with the code filled in.
        await page.goto(f"{server}/portal/camps/sessions/{session_id}/checkin?code={code}")
        await expect(page.locator("#code")).to_have_value(code)
        await _checked(page, "camp-checkin-qr.png")
    finally:
        await context.close()
