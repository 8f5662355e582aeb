"""The three journeys of issue 17 on `make run`'s demo data, in Chromium on a phone (375 px), as docs/portal.md
tells each user to walk them:

1. an organisation registers and submits the open 初赛's form — a repeatable group with an added item, the
   conditional 合作方名称 and an attachment;
2. `expert1` scores the demo's blind review with one criterion 不适用;
3. 新华路街道 (`xinhua`) publishes a demand and confirms the delivery the demo left for it.

Screenshots in .seedbed/test/portal/journeys/; the axe check and the no-horizontal-scroll check on every page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from app.site.demo import load_demo
from app.timezone import today_shanghai
from programmes.attachments.tables import Attachment
from programmes.matching.tables import Demand, MatchOrder
from programmes.tables import Application, Round
from programmes.workflows.orders import OrderStatus
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.admin_browser import axe_clean
from tests.factories.applications import PDF
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

pytestmark = pytest.mark.browser

SHOTS = ROOT / ".seedbed" / "test" / "portal" / "journeys"
PHONE = {"width": 375, "height": 800}
DEMO_PASSWORDS = {"expert1": "expert1-pass-2026", "xinhua": "xinhua-pass-2026"}


async def _checked(page: Any, shot: str | None = None) -> None:
    await axe_clean(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if shot:
        await page.screenshot(path=str(SHOTS / shot), full_page=True)


async def _phone(browser: Any) -> tuple[Any, Any]:  # noqa: F811
    from playwright.async_api import expect

    assert await load_demo() is True
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    return context, page


async def _log_in(page: Any, server: str, username: str) -> None:  # noqa: F811
    await page.goto(f"{server}/portal/login")
    await page.fill("#username", username)
    await page.fill("#password", DEMO_PASSWORDS[username])
    await page.get_by_role("button", name="登录").click()


async def test_a_new_organisation_registers_and_submits_the_open_call_with_an_attachment(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    context, page = await _phone(browser)
    call = await Round.select(Round.id).where((Round.name == "初赛") & (Round.status == "open")).first()
    assert call is not None
    try:
        await page.goto(f"{server}/portal/login")
        await page.get_by_role("link", name="申报单位注册").click()
        await page.select_option("#org_type", label="社会服务机构（民办非企业单位）")
        await page.fill("#credit_code", factories.credit_code(9601))
        await page.fill("#name", "长宁区邻里守望服务中心")
        await page.select_option("#district", label="长宁区")
        await page.select_option("#street", label="新华路街道")
        await page.fill("#username", "linli")
        await page.fill("#password", "linli-pass-2026")
        await page.fill("#email", "linli@example.org")
        await page.fill("#mobile", "13800138123")
        await page.get_by_role("button", name="注册并登录").click()
        await expect(page.get_by_role("status")).to_have_text("注册成功，欢迎长宁区邻里守望服务中心")

        await page.get_by_role("link", name="查看征集中的项目").click()
        await page.locator(f'a[href="/portal/calls/{call["id"]}"]').first.click()
        await expect(page.get_by_role("heading", name="申报条件")).to_be_visible()
        await page.fill("#title", "邻里守望·独居老人探访")
        await _checked(page, "1-call.png")
        await page.get_by_role("button", name="开始申报").click()
        await expect(page.get_by_role("heading", name="填写申报表")).to_be_visible()

        await page.fill("#f-project_name", "邻里守望·独居老人探访")
        await page.fill("#f-summary", "组织楼组志愿者每周探访独居老人，记录需求并对接社区服务，建立邻里互助网络。")
        await page.get_by_label("老年人").check()
        await page.fill("#f-beneficiaries", "150")
        await page.fill("#f-team-0-name", "陈静")
        await page.select_option("#f-team-0-role", label="项目负责人")
        await page.fill("#f-team-0-phone", "13912340000")
        await page.get_by_role("button", name="添加成员").click()  # the repeatable group grows by one
        await page.fill("#f-team-1-name", "刘洋")
        await page.select_option("#f-team-1-role", label="志愿者")
        await page.fill("#f-team-1-phone", "021-62001234")
        await page.select_option("#f-budget-0-subject", label="活动费用")
        await page.fill("#f-budget-0-amount", "20000")
        partner = page.locator("#f-partner_name")
        await expect(partner).to_be_hidden()  # the conditional field waits for its condition
        await page.get_by_role("radio", name="是").check()
        await expect(partner).to_be_visible()
        await page.get_by_role("button", name="提交", exact=True).click()
        await expect(page.locator("#f-partner_name-error")).to_have_text("合作方名称：此项为必填项")
        await _checked(page, "1-form-error.png")
        await page.fill("#f-partner_name", "新华路街道社区事务受理中心")
        await page.get_by_role("button", name="保存草稿").click()
        await expect(page.locator("p.notice[role=status]")).to_contain_text("草稿已保存")

        await page.get_by_role("link", name="上传附件").click()
        await page.set_input_files(
            "#file", files=[{"name": "项目预算表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        await page.get_by_role("button", name="上传附件").click()
        await expect(page.get_by_text("项目预算表.pdf").first).to_be_visible()
        await _checked(page, "1-attachment.png")

        application = (
            await Application.select(Application.id).where(Application.title == "邻里守望·独居老人探访").first()
        )
        assert application is not None
        await page.goto(f"{server}/portal/applications/{application['id']}/edit")
        await page.get_by_role("button", name="提交", exact=True).click()
        await expect(page.get_by_role("heading", name="确认提交：邻里守望·独居老人探访")).to_be_visible()
        await expect(page.get_by_text("刘洋")).to_be_visible()
        await _checked(page, "1-summary.png")
        await page.get_by_role("button", name="确认提交").click()
        await expect(page.get_by_role("status")).to_have_text("申报已提交：邻里守望·独居老人探访")
        await _checked(page, "1-submitted.png")
    finally:
        await context.close()
    row = (
        await Application.select(Application.status, Application.answers)
        .where(Application.id == application["id"])
        .first()
    )
    assert row is not None and row["status"] != "draft"
    answers = row["answers"] if isinstance(row["answers"], dict) else json.loads(row["answers"])
    assert [m["name"] for m in answers["team"]] == ["陈静", "刘洋"] and answers["cooperates"] is True
    assert await Attachment.count().where(Attachment.application == application["id"]) == 1


async def test_expert1_scores_the_demo_review_with_one_criterion_not_applicable(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    context, page = await _phone(browser)
    try:
        await _log_in(page, server, "expert1")
        await page.get_by_role("link", name="我的评审任务").click()
        await page.get_by_role("link", name="银龄助餐·社区食堂").first.click()
        await expect(page.get_by_role("heading", name="评分")).to_be_visible()
        html = await page.content()
        assert "上海阳光社区公益服务社" not in html and "13912345678" not in html  # blind: no identity
        await page.fill("#score-innovation", "85")
        await page.fill("#score-need", "80")
        await page.fill("#score-feasibility", "78")
        await page.locator('input[name="na.partnership"]').check()
        await page.fill("#comment", "需求调研扎实，助餐点选址合理。")
        await _checked(page, "2-scoring.png")
        await page.get_by_role("button", name="提交评分").click()
        await expect(page.get_by_role("status")).to_contain_text("评分已提交")
        await _checked(page, "2-submitted.png")
    finally:
        await context.close()
    assert await ReviewAssignment.count().where(ReviewAssignment.status == "submitted") >= 1


async def test_xinhua_publishes_a_demand_and_confirms_the_waiting_delivery(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    context, page = await _phone(browser)
    demands_before = await Demand.count()
    try:
        await _log_in(page, server, "xinhua")
        await page.get_by_role("link", name="需求清单").first.click()
        await page.get_by_role("link", name="发布新需求").click()
        await page.get_by_label("领域").select_option(label="社区治理")
        await page.fill("#title", "楼道微更新议事会")
        await page.fill("#description", "组织居民议事，商定老旧楼道的微更新方案并协助实施。")
        await page.fill("#beneficiary_group", "小区居民")
        await page.fill("#expected_beneficiaries", "200")
        await page.fill("#period_start", today_shanghai().isoformat())
        await page.fill("#period_end", (today_shanghai() + timedelta(days=90)).isoformat())
        await page.fill("#contact_name", "李老师")
        await page.fill("#contact_phone", "021-62801234")
        await page.get_by_role("button", name="保存").click()
        await expect(page.get_by_role("heading", name="楼道微更新议事会")).to_be_visible()
        await page.get_by_role("button", name="提交审核").click()
        await _checked(page, "3-demand.png")

        await page.goto(f"{server}/portal/")
        await page.get_by_role("link", name="对接订单").click()
        await page.get_by_role("link", name="双职工家庭暑期托管").first.click()
        await expect(page.get_by_text("暑期托管第一周：课业辅导与安全教育")).to_be_visible()
        await page.get_by_role("button", name="确认服务完成").click()
        await expect(page.get_by_role("status")).to_be_visible()
        await _checked(page, "3-confirmed.png")
    finally:
        await context.close()
    assert await Demand.count() == demands_before + 1
    confirmed = await MatchOrder.count().where(MatchOrder.status == OrderStatus.delivered)
    assert confirmed == 1
