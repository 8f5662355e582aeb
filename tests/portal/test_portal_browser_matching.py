"""An organisation's 聚力计划 on a phone (375 px): publishes a service offer (a field error first), applies for a
community's demand with it once an officer approved it, takes the order the community chose (接单), starts the
service and adds a delivery record with a photo; Chromium, screenshots in .seedbed/test/portal/, axe on every page."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import today_shanghai
from programmes.matching import bids, offers
from programmes.matching.tables import DemandBid, ServiceOffer
from tests import factories
from tests.factories import matching as builders
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.matching_demand import tag_vocabulary
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_an_organisation_publishes_an_offer_takes_a_demand_and_records_the_service_on_a_phone(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    await tag_vocabulary()  # the seeded vocabulary with its Chinese labels (earlier tests emptied the table)
    officer = await factories.user(Role.officer)
    org_id, member = await factories.organisation(District.changning, name="长宁区阳光睦邻服务中心")
    community_id, community = await builders.community(District.changning, street="新华路街道")
    demand_id = await builders.demand(community_id, title="老年人智能手机培训", contact_name="王老师")
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
        await page.get_by_role("link", name="服务清单").click()
        await page.get_by_role("link", name="发布服务项目").click()
        await expect(page.get_by_role("heading", name="发布服务项目")).to_be_visible()
        await page.select_option("#field", label="社区治理")
        await page.fill("#title", "银龄数字课堂")
        await page.fill("#description", "志愿者一对一辅导老年人使用智能手机就医、出行、缴费。")
        await page.get_by_label("为老服务").check()
        await page.fill("#capacity", "3")
        await page.get_by_role("button", name="提交审核").click()
        await expect(page.locator("#districts_served-error")).to_have_text("请选择服务的区，或勾选全市范围")
        await expect(page.locator("#title")).to_have_value("银龄数字课堂")
        await _checked(page, "offer-error.png")

        await page.get_by_label("长宁区").check()
        await page.get_by_label("徐汇区").check()
        await page.get_by_role("button", name="提交审核").click()
        await expect(page.get_by_role("status")).to_have_text("服务项目已提交审核，审核通过后即可对接")
        await expect(page.get_by_text("待审核")).to_be_visible()
        await _checked(page, "offer.png")

        # The officer approves it (the admin's form calls this same service).
        row = await ServiceOffer.select(ServiceOffer.id).where(ServiceOffer.organisation == org_id).first()
        assert row is not None
        await offers.approve(officer.principal, row["id"])

        await page.goto(f"{server}/portal/demands")
        await page.select_option("#filter-district", label="长宁区")
        await page.get_by_role("button", name="筛选").click()
        await _checked(page, "demands.png")
        await page.get_by_role("link", name="老年人智能手机培训").click()
        await expect(page.get_by_text("王老师")).to_be_visible()
        await page.fill("#message", "我们在本街道已开展同类服务两年")
        await _checked(page)
        await page.get_by_role("button", name="申请承接").click()
        await expect(page.get_by_text("待社区选择", exact=True)).to_be_visible()
        await _checked(page)

        # The community chooses the application (its own page calls this same service): an order to take.
        bid = await DemandBid.select(DemandBid.id).where(DemandBid.demand == demand_id).first()
        assert bid is not None
        await bids.choose(community.principal, bid["id"])

        await page.goto(f"{server}/portal/orders")
        await expect(page.get_by_text("已匹配，待接单")).to_be_visible()
        await page.get_by_role("link", name="老年人智能手机培训").click()
        await page.get_by_role("button", name="接单", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("已接单，可以开始服务")
        await page.get_by_role("button", name="开始服务").click()
        await page.fill("#delivered_on", today_shanghai().isoformat())
        await page.fill("#activity", "第一次智能手机课堂：挂号与出行软件")
        await page.fill("#beneficiaries_served", "32")
        await page.fill("#notes", "志愿者 6 名")
        await page.get_by_role("button", name="登记服务记录").click()
        await expect(page.get_by_role("status")).to_have_text("服务记录已登记，可上传照片或文件")
        await page.get_by_label("上传照片或文件").set_input_files(
            files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}]
        )
        await page.get_by_role("button", name="上传", exact=True).click()
        await expect(page.get_by_role("link", name="现场照片.png")).to_be_visible()
        await expect(page.get_by_text("第一次智能手机课堂：挂号与出行软件（服务 32 人）")).to_be_visible()
        await _checked(page, "order-delivery.png")
    finally:
        await context.close()
