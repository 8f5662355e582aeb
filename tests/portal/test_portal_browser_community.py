"""A street's staff on a phone (375 px): publishes a demand (a field error first), submits it; imports a list with a
bad row and reads the per-row report; chooses the organisation that applied, and once it has delivered (set up with
the services) confirms the delivery and evaluates it. Chromium, screenshots in .seedbed/test/portal/, axe on every
page, no horizontal scroll."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.timezone import now_utc, today_shanghai
from programmes.matching import bids, delivery, demand_import, demands, orders
from programmes.matching.schemas_order import BidCreate, DeliveryRecordCreate
from programmes.matching.tables import Demand, MatchingTag, MatchOrder
from programmes.xlsx_export import write_xlsx
from tests import factories
from tests.factories import matching as builders
from tests.factories import matching_cases
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked

pytestmark = pytest.mark.browser


def _bad_list(tmp: Any) -> Any:
    today = today_shanghai()
    good = ["社区治理", "", "楼道微更新议事会", "", "", "", "", "居民", 30, today, today + timedelta(days=60), "", "",
            1, "否", "", ""]  # fmt: skip
    bad = ["文体活动", "", "社区文化节", "", "", "", "", "居民", 200, today, date(2020, 1, 1), "三千", 8000, 1, "也许",
           "", ""]  # fmt: skip
    path = tmp / "需求清单.xlsx"
    path.write_bytes(write_xlsx(list(demand_import.COLUMNS), [good, bad], "需求清单"))
    return path


async def test_a_community_publishes_a_demand_and_confirms_a_delivery_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    tmp_path: Any,
) -> None:
    from playwright.async_api import expect

    if not await MatchingTag.exists().where(MatchingTag.code == "elderly"):
        await MatchingTag.insert(MatchingTag(code="elderly", label_zh="为老服务", active=True, created_at=now_utc()))
    community_id, account = await builders.community(street="新华路街道")
    org_id, member = await factories.organisation(name="上海阳光社区公益服务社")
    offer_id = await builders.offer(org_id, title="银龄数字课堂")
    officer = await matching_cases.officer()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", account.principal.username)
        await page.fill("#password", "password-123")
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("link", name="需求清单").click()
        await expect(page.get_by_role("heading", name="需求清单")).to_be_visible()
        await _checked(page)
        await page.get_by_role("link", name="发布新需求").click()

        today = today_shanghai()
        await page.select_option("#field", label="社区治理")
        await page.fill("#title", "老年人智能手机培训")
        await page.fill("#description", "每周一次，教老年人使用智能手机就医、出行。")
        await page.get_by_label("为老服务").check()
        await page.fill("#beneficiary_group", "社区老年人")
        await page.fill("#expected_beneficiaries", "40")
        await page.fill("#period_start", today.isoformat())
        await page.fill("#period_end", (today - timedelta(days=1)).isoformat())
        await page.fill("#budget_min_yuan", "5000")
        await page.fill("#contact_name", "王老师")
        await page.fill("#contact_phone", "021-62512345")
        await page.get_by_role("button", name="保存").click()
        await expect(page.locator("#period_end-error")).to_have_text("结束日期不能早于开始日期")
        await expect(page.locator("#budget_max_yuan-error")).to_contain_text("预算须同时填写下限和上限")
        await expect(page.locator("#title")).to_have_value("老年人智能手机培训")
        await _checked(page, "community-demand-error.png")

        await page.fill("#period_end", (today + timedelta(days=90)).isoformat())
        await page.fill("#budget_max_yuan", "10000")
        await page.get_by_role("button", name="保存").click()
        await expect(page.get_by_role("status")).to_have_text("需求已保存为草稿，确认无误后请提交审核")
        await page.get_by_role("button", name="提交审核").click()
        await expect(page.get_by_role("status")).to_have_text("需求已提交审核")
        await expect(page.get_by_text("待审核")).to_be_visible()
        await _checked(page, "community-demand.png")

        # The import: one bad row, so nothing is imported and the report names row and column.
        await page.goto(f"{server}/portal/community/demands/import")
        await page.set_input_files("#file", str(_bad_list(tmp_path)))
        await page.get_by_role("button", name="正式导入").click()
        report = page.locator("table.report")
        await expect(report.locator("tbody tr").first.locator("td").first).to_have_text("3")
        await expect(report).to_contain_text("金额应为数字（元），最多两位小数")
        await expect(report).to_contain_text("请填写「是」或「否」")
        await _checked(page, "community-import-report.png")
        assert await Demand.count().where(Demand.community == community_id) == 1

        # The officer publishes it and the organisation applies (services); the street chooses it on the page.
        demand_id = int((await Demand.select(Demand.id).where(Demand.community == community_id).first() or {})["id"])
        await demands.publish(officer.principal, demand_id)
        await bids.apply(member.principal, demand_id, BidCreate(offer_id=offer_id, message="我们在本街道服务两年"))
        await page.goto(f"{server}/portal/community/demands/{demand_id}")
        await page.get_by_role("link", name="查看推荐的服务项目").click()
        await expect(page.get_by_role("heading", name="银龄数字课堂")).to_be_visible()
        await _checked(page, "community-recommendations.png")
        await page.get_by_role("link", name="← 返回需求").click()
        await page.get_by_role("button", name="选定上海阳光社区公益服务社承接").click()
        await expect(page.get_by_role("status")).to_have_text("已选定承接机构，等待机构确认接单")

        # The organisation takes the order and delivers (services); the street confirms and evaluates.
        order_id = int(
            (await MatchOrder.select(MatchOrder.id).where(MatchOrder.demand == demand_id).first() or {})["id"]
        )
        await orders.accept(member.principal, order_id)
        await orders.start_delivery(member.principal, order_id)
        record = DeliveryRecordCreate(
            delivered_on=today, activity="第一次智能手机课堂：挂号与出行软件", beneficiaries_served=32
        )
        await delivery.add_record(member.principal, order_id, record)
        await page.goto(f"{server}/portal/")
        await page.get_by_role("link", name="对接订单").click()
        await expect(page.get_by_text("服务中")).to_be_visible()
        await _checked(page)
        await page.get_by_role("link", name="老年人智能手机培训").click()
        await expect(page.get_by_text("第一次智能手机课堂：挂号与出行软件")).to_be_visible()
        await _checked(page, "community-order.png")
        await page.get_by_role("button", name="确认服务完成").click()
        await expect(page.get_by_role("status")).to_have_text("已确认服务完成，请为本次服务评价")
        for label, score in (("服务质量", "5 分"), ("及时性", "4 分"), ("沟通配合", "5 分")):
            await page.get_by_label(label).select_option(label=score)
        await page.get_by_role("button", name="提交评价").click()
        await expect(page.locator("#rating-effect-error")).to_have_text("请为“实际成效”评分")
        await _checked(page, "community-evaluation-error.png")
        await page.get_by_label("实际成效").select_option(label="5 分")
        await page.get_by_label("评价意见（选填）").fill("老人们反响很好，希望继续开展")
        await page.get_by_role("button", name="提交评价").click()
        await expect(page.get_by_role("status")).to_have_text("评价已提交，感谢反馈")
        await expect(page.get_by_role("heading", name="本社区的评价")).to_be_visible()
        await _checked(page, "community-evaluated.png")
    finally:
        await context.close()
    status = await MatchOrder.select(MatchOrder.status).where(MatchOrder.id == order_id).first()
    assert status == {"status": "evaluated"}
