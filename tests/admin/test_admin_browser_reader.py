"""The reader and screening pages in Chromium, as a city officer and as a district officer: every action and a refusal,
axe-core with no serious or critical violation, screenshots in ``.seedbed/test/admin-reader/``."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin_browser import admin_login, axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.reader import screening_round

SHOTS = ROOT / ".seedbed" / "test" / "admin-reader"

pytestmark = pytest.mark.browser


async def test_city_officer_screens_a_round_in_the_browser(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    made = await screening_round(city, None, count=3)
    first, second, third = made.application_ids
    page = await admin_login(browser, server, city.principal.username)
    try:
        # Piccolo Admin's own detail page of an application opens (it used not to).
        await page.goto(f"{server}/admin/#/application/{third}/")
        await page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"#/application/{third}/")
        await expect(page.locator("#message_popup.error")).to_have_count(0)

        # From the sidebar link to the round's screening list.
        await page.goto(f"{server}/admin/")
        await page.get_by_role("link", name="申报审阅与资格审查").first.click()
        await page.get_by_role("link", name="2026 年度 · 初赛").first.click()
        await expect(page.get_by_role("heading", name="资格审查：2026 年度 · 初赛")).to_be_visible()
        await page.select_option("#f-outcome", "ineligible")
        await page.get_by_role("button", name="筛选").click()
        await expect(page.get_by_text("共 3 件")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "screening-list.png"), full_page=True)

        # Tick two rows, return them with one reason.
        await page.check(f"#pick-{first}")
        await page.check(f"#pick-{second}")
        await page.select_option("#bulk-action", "return_for_revision")
        await page.fill("#bulk-reason", "预算明细不完整，请补充")
        await page.get_by_role("button", name="对勾选的申报执行").click()
        await expect(page.get_by_text("退回修改成功 2 件")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "screening-bulk-done.png"), full_page=True)

        # The reader: answers by the form's labels, the attachment, the timeline; an override refused, then taken.
        await page.get_by_role("link", name="社区助餐1").click()
        await expect(page.get_by_text("150,000 元")).to_be_visible()
        await expect(page.get_by_role("link", name="项目预算表.pdf")).to_be_visible()
        await expect(page.get_by_role("cell", name="预算明细不完整，请补充")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "reader.png"), full_page=True)
        pdf = await page.request.get(f"{server}/admin/attachments/{made.attachment_id}/file")
        assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")

        await page.goto(f"{server}/admin/applications/{third}")
        await page.fill("#reason-override", "同意")
        await page.locator("form", has=page.locator("#reason-override")).get_by_role("button").click()
        await expect(page.locator("#reason-override-error")).to_contain_text("至少 5 个字")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "reader-refused.png"), full_page=True)
        await page.fill("#reason-override", "已核验其评估等级证书原件，符合要求")
        await page.locator("form", has=page.locator("#reason-override")).get_by_role("button").click()
        await expect(page.get_by_role("status")).to_have_text("已人工认定资格，并记入审计日志")
        await page.fill("#reason-reject", "不属于本项目资助范围")
        await page.locator("form", has=page.locator("#reason-reject")).get_by_role("button").click()
        await expect(page.get_by_role("status")).to_have_text("已驳回")
        await page.screenshot(path=str(SHOTS / "reader-rejected.png"), full_page=True)
    finally:
        await page.context.close()


async def test_district_officer_sees_only_their_district(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    pudong = await screening_round(city, District.pudong, count=1, title="浦东助老")
    officer = await factories.user(Role.officer, District.changning)
    mine = await screening_round(officer, District.changning, count=2, title="长宁睦邻")
    page = await admin_login(browser, server, officer.principal.username)
    try:
        await page.goto(f"{server}/admin/screening")
        await expect(page.get_by_role("link", name="2026 年度 · 初赛")).to_have_count(1)
        await page.goto(f"{server}/admin/rounds/{mine.round_id}/screening")
        await expect(page.get_by_role("link", name="长宁睦邻1")).to_be_visible()
        await expect(page.get_by_text("浦东助老")).to_have_count(0)
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-screening-list.png"), full_page=True)
        await page.get_by_role("link", name="长宁睦邻2").click()
        await page.fill("#reason-return_for_revision", "请补充团队成员的分工说明")
        await page.locator("form", has=page.locator("#reason-return_for_revision")).get_by_role("button").click()
        await expect(page.get_by_role("status")).to_have_text("已退回修改")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-reader.png"), full_page=True)
        refused = await page.goto(f"{server}/admin/applications/{pudong.application_ids[0]}")
        assert refused is not None and refused.status == 404
        await expect(page.get_by_text("记录不存在或不在您的管辖范围内")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "district-out-of-scope.png"), full_page=True)
    finally:
        await page.context.close()
