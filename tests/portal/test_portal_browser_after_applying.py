"""An organisation on a phone (375 px) after applying: a too-large attachment refused by the page before sending and,
with JavaScript off, by the server; a good one uploaded; a notification marked read; the agreement signed after the
confirmation; a bank account asked for after a field error. Chromium, screenshots in .seedbed/test/portal/, axe."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.notifications.service import notify_user
from programmes.attachments.tables import Attachment
from tests import factories
from tests.factories import applications
from tests.factories.applications import PDF
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.funding import funded
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked
from tests.factories.world import build_world

pytestmark = pytest.mark.browser

TOO_LARGE = {"name": "活动照片合集.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * (1024 * 1024)}
GOOD_FILE = {"name": "项目预算表.pdf", "mimeType": "application/pdf", "buffer": PDF}
REFUSED = "文件超过大小上限（1 MB），请压缩或拆分后上传"


async def _signed_in_page(browser: Any, server: str, username: str, *, javascript: bool = True) -> Any:  # noqa: F811
    context = await browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=javascript)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{server}/portal/login")
    await page.fill("#username", username)
    await page.fill("#password", "password-123")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{server}/portal/")
    return page


async def test_an_organisation_after_applying_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    world = await build_world()
    call = await factories.contest_round(world.changning_officer, max_attachment_mb=1, attachment_types=["pdf", "png"])
    async with httpx.AsyncClient(base_url=server, timeout=60) as api:
        draft = await applications.draft(api, world.applicant, world.org_id, call["id"])
        project = await funded(api, world)
    await notify_user(world.applicant.id, "status_change", "申报状态更新：已立项资助", "请签署资助协议。", "browser:1")
    files = f"{server}/portal/applications/{draft['id']}/attachments"

    page = await _signed_in_page(browser, server, world.applicant.principal.username)
    try:
        # Attachments: the rules before upload; a too-large file stopped by the page, nothing sent.
        await page.goto(files)
        await expect(page.get_by_text("单个文件不超过 1 MB")).to_be_visible()
        await page.set_input_files("#file", files=[TOO_LARGE])
        await page.get_by_role("button", name="上传附件").click()
        await expect(page.locator("#file-error")).to_have_text(REFUSED)
        assert page.url == files and await Attachment.count().where(Attachment.application == draft["id"]) == 0
        await _checked(page, "attachments-refused.png")
        await page.set_input_files("#file", files=[GOOD_FILE])
        await page.get_by_role("button", name="上传附件").click()
        await expect(page.get_by_role("status")).to_have_text("已上传附件：项目预算表.pdf")
        await expect(page.get_by_role("link", name="项目预算表.pdf")).to_be_visible()
        await _checked(page, "attachments.png")

        # Notifications: the header's unread count, one marked read.
        await page.get_by_role("link", name="通知").first.click()
        await expect(page.get_by_role("heading", name="站内通知")).to_be_visible()
        await page.get_by_role("button", name="将「申报状态更新：已立项资助」标为已读").click()
        await expect(page.get_by_role("status")).to_have_text("已标为已读")
        await _checked(page, "notifications.png")

        # The agreement: its plan in 元, signed once the confirmation is ticked.
        await page.goto(f"{server}/portal/")
        await page.get_by_role("link", name="资助协议").click()
        await page.get_by_role("link", name="社区助餐").click()
        await expect(page.get_by_text("第 2 笔：4,000.00 元")).to_be_visible()
        await page.fill("#signer_name", "王敏")
        await page.get_by_role("button", name="确认签署").click()
        await expect(page.locator("#confirm")).to_be_focused()  # the browser's own required check stops it first
        await page.check("#confirm")
        await page.get_by_role("button", name="确认签署").click()
        await expect(page.get_by_role("status")).to_have_text("协议已签署，待主管部门会签")
        await _checked(page, "agreement-signed.png")

        # The bank account: a wrong number refused next to its field, then asked for and shown masked.
        await page.goto(f"{server}/portal/bank-accounts")
        await page.fill("#bank_name", "上海银行长宁支行")
        await page.fill("#account_number", "6222-0000")
        await page.get_by_role("button", name="提交核验").click()
        await expect(page.locator("#account_number-error")).to_have_text("账号须为 8–32 位数字")
        await _checked(page, "bank-account-error.png")
        await page.fill("#account_number", "6222 0000 1234 5678")
        await page.get_by_role("button", name="提交核验").click()
        await expect(page.get_by_text("账号：****5678")).to_be_visible()
        await expect(page.get_by_text("核验状态：待核验")).to_be_visible()
        await _checked(page, "bank-account.png")
    finally:
        await page.context.close()

    # With JavaScript off the same too-large file reaches the server, which refuses it with the same words.
    page = await _signed_in_page(browser, server, world.applicant.principal.username, javascript=False)
    try:
        await page.goto(files)
        await page.set_input_files("#file", files=[TOO_LARGE])
        await page.get_by_role("button", name="上传附件").click()
        await expect(page.locator("#file-error")).to_have_text(REFUSED)
        assert await Attachment.count().where(Attachment.application == draft["id"]) == 1
        # No axe here: it runs as page script, which this context does not execute (the same page passed above).
        await page.screenshot(path=str(SHOTS / "attachments-refused-by-server.png"), full_page=True)
    finally:
        await page.context.close()
    assert project["agreement_id"]
