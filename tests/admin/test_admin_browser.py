"""The admin in a real browser: Debian chromium (Playwright) against the real app served by granian."""

from __future__ import annotations

from typing import Any

import pytest

from app.admin.labels import table_label
from app.auth.tables import Role
from app.reference import District
from programmes.agreements.tables import Agreement
from programmes.tables import PaymentBatch, Programme, Tranche
from programmes.workflows.agreements import AGREEMENT, PROGRESS_REPORT
from tests import factories
from tests.factories.admin import PASSWORD, draft_batch
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

SCREENSHOT = ROOT / ".seedbed" / "test" / "admin-browser-failure.png"  # written when the browser test fails

pytestmark = pytest.mark.browser


async def test_officer_uses_the_chinese_admin_in_a_browser(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    city = await factories.user(Role.officer)
    officer = await factories.user(Role.officer, District.changning)
    batch = await draft_batch(city, District.changning)
    other = await factories.contest_round(city, district=District.pudong)
    await Programme.update({Programme.name: "浦东新区公益创投"}).where(Programme.id == other["programme_id"])
    await Programme.update({Programme.name: "长宁区公益创投"}).where(Programme.scope_district == "changning")

    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)  # the first page load can be slow on a busy 2-core CI machine
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Vue reports render errors on the console (the 401s before login are expected and not errors here).
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "TypeError" in m.text else None)
    try:
        # The real login page, already in Chinese although the browser asks for English.
        await page.goto(f"{server}/admin/")
        await expect(page.locator("h1")).to_have_text("Seedbed 社会组织项目管理后台")
        await page.fill("input[name=username]", officer.principal.username)
        await page.fill("input[type=password]", PASSWORD)
        await page.get_by_role("button", name="登录").click()

        # The sidebar: Piccolo's own labels in Chinese, and our menu groups.
        await expect(page.get_by_role("link", name=officer.principal.username)).to_be_visible()
        await expect(page.get_by_text("主页").first).to_be_visible()
        for group in ("社会组织", "项目与轮次", "申报与评审", "资金", "系统"):
            await expect(page.get_by_role("link", name=group, exact=True).first).to_be_visible()

        # A table list: the district officer sees the district's programme only.
        await page.get_by_role("link", name=table_label("programme"), exact=True).click()
        await expect(page.get_by_role("cell", name="长宁区公益创投")).to_be_visible()
        await expect(page.get_by_role("link", name="添加行")).to_be_visible()
        await expect(page.get_by_text("浦东新区公益创投")).to_have_count(0)
        await page.goto(f"{server}/admin/#/payment_batch/")
        await expect(page.get_by_role("cell", name="第一批")).to_be_visible()

        # The approve-batch form, run from the UI, calls the service.
        await page.get_by_role("link", name="审批支付批次").click()
        await expect(page.get_by_text("审批后由后台任务逐笔支付")).to_be_visible()
        # The batch is picked from a dropdown of the officer's batches (app.admin.picks), not typed.
        await expect(page.get_by_text("支付批次").first).to_be_visible()
        await page.select_option("select[data-pick-for=batch_id]", str(batch["id"]))
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.locator("#success_message")).to_have_text(
            f"支付批次 {batch['id']} 已审批，共 30,000.00 元，正在后台支付"
        )

        # The signed agreement waits in the agreement list; the countersign form makes it effective.
        agreement_id = batch["signed_agreement_id"]
        await page.goto(f"{server}/admin/#/agreement/")
        await expect(page.get_by_role("cell", name=AGREEMENT.states["signed"], exact=True)).to_be_visible()
        await page.get_by_role("link", name="会签资助协议").click()
        await expect(page.get_by_text("资助协议").first).to_be_visible()
        await page.select_option("select[data-pick-for=agreement_id]", str(agreement_id))
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.locator("#success_message")).to_have_text(
            f"资助协议 {agreement_id} 已会签生效，第 1 笔款项已可拨付"
        )

        # The other money lists render for a district officer (read-only, scoped).
        for table, visible in (
            ("bank_account", "上海银行测试支行"),
            ("progress_report", PROGRESS_REPORT.states["due"]),
        ):
            await page.goto(f"{server}/admin/#/{table}/")
            await expect(page.get_by_role("cell", name=visible, exact=True).first).to_be_visible()
    except Exception:
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
        raise
    finally:
        await context.close()

    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "approved"
    }
    assert await Agreement.select(Agreement.status).where(Agreement.id == batch["signed_agreement_id"]).first() == {
        "status": "effective"
    }
    assert await Tranche.select(Tranche.status).where(Tranche.id == batch["signed_tranche_id"]).first() == {
        "status": "released"
    }
    assert errors == []
