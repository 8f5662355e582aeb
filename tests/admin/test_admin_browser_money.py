"""The money pages (资金管理) in Chromium: a city officer awards a winner with a payment plan (one refusal first),
countersigns, builds a batch by ticking and is refused its approval, a second officer approves it and sees it paid,
and a district officer sees only their district. axe-core finds no serious or critical violation; screenshots in
``.seedbed/test/admin-money/``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin import draft_batch
from tests.factories.admin_browser import admin_login, axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.money import budget_line, ranked_world
from tests.factories.worker import run_worker_burst
from tests.factories.world import build_world

SHOTS = ROOT / ".seedbed" / "test" / "admin-money"

pytestmark = pytest.mark.browser


async def test_city_officers_move_money_from_agreement_to_payment(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    world = await build_world()
    [winner] = await ranked_world(world)
    await budget_line(world, 1_000_000)
    city = world.city_officer
    made = await draft_batch(city, None)
    page = await admin_login(browser, server, city.principal.username)
    try:
        # 确定资助: the winner from the queue, the budget line from a list, a plan of two tranches in 元.
        await page.goto(f"{server}/admin/money/awards")
        await page.locator(f'a[href="/admin/money/awards/{winner}"]').click()
        await page.fill("#a-amount", "8000")
        await page.fill("#t0-amount", "5000")
        await page.fill("#t1-amount", "3000")
        await page.select_option("#t1-condition", "final_report")
        await page.get_by_role("button", name="确定资助").click()
        await expect(page.locator("#err-t1_due")).to_have_text("中期或结项后拨付的款项须填写报告截止日期")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "award-refused.png"), full_page=True)
        await page.fill("#t1-due", (date.today() + timedelta(days=200)).isoformat())
        await page.get_by_role("button", name="确定资助").click()
        await expect(page.get_by_role("status")).to_have_text("资助已确定，资助协议（草稿）已生成，待机构签署")

        await page.goto(f"{server}/admin/")
        await page.get_by_role("link", name="资金管理").first.click()
        await expect(page.get_by_role("heading", name="资金管理", exact=True)).to_be_visible()
        await expect(page.get_by_role("cell", name="100,000.00 元").first).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "money-home.png"), full_page=True)

        await page.get_by_role("link", name="待会签资助协议").click()
        await expect(page.get_by_role("cell", name="邻里守望")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "agreements.png"), full_page=True)
        await page.get_by_role("button", name="会签").click()
        await expect(page.get_by_role("status")).to_have_text("已会签")

        await page.goto(f"{server}/admin/money/payable")
        await page.check(f"#pick-{made['signed_tranche_id']}")
        await page.fill("#b-title", "第二批拨付")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "payable.png"), full_page=True)
        await page.get_by_role("button", name="将勾选的款项建立支付批次（草稿，待另一名官员审批）").click()
        await expect(page.get_by_role("heading", name="支付批次：第二批拨付")).to_be_visible()
        await page.get_by_role("button", name="审批并支付（须为建立人以外的官员）").click()
        await expect(page.get_by_role("alert")).to_have_text("支付批次须由建立批次以外的另一名官员审批（双人复核）")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "batch-four-eyes-refused.png"), full_page=True)
        batch_url = page.url
    finally:
        await page.context.close()

    second = await factories.user(Role.officer)
    page = await admin_login(browser, server, second.principal.username)
    try:
        await page.goto(batch_url)
        await page.get_by_role("button", name="审批并支付（须为建立人以外的官员）").click()
        await expect(page.get_by_role("status")).to_have_text("支付批次已审批，后台正在逐笔支付")
        await run_worker_burst()
        await page.reload()
        await expect(page.get_by_text("已支付 1 笔（10,000.00 元）")).to_be_visible()
        await expect(page.get_by_text("对账无差异。")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "batch-paid.png"), full_page=True)
    finally:
        await page.context.close()


async def test_district_officer_sees_only_their_districts_money(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    theirs = await draft_batch(city, None)
    officer = await factories.user(Role.officer, District.changning)
    await draft_batch(officer, District.changning)
    page = await admin_login(browser, server, officer.principal.username)
    try:
        await page.goto(f"{server}/admin/money")
        await expect(page.get_by_text("待审批支付批次：1")).to_be_visible()
        await page.goto(f"{server}/admin/money/batches")
        await expect(page.get_by_role("link", name="第一批")).to_have_count(1)
        await expect(page.get_by_role("cell", name="长宁区")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-batches.png"), full_page=True)
        await page.goto(f"{server}/admin/money/batches/{theirs['id']}")
        await expect(page.get_by_text("记录不存在或不在您的管辖范围内")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "district-out-of-scope.png"), full_page=True)
    finally:
        await page.context.close()
