"""聚力计划, 沪社星耀 and 训练营 pages in Chromium on the demo data, as the demo city officer and as the 长宁区 officer:
from the sidebar links to a session (re-match, preview), the moderation queue, orders and cases, a cohort's
dashboard and mentor preview, a camp; axe-core with no serious or critical violation; screenshots in
``.seedbed/test/admin-programmes/`` (docs/images/admin/ holds the ones the guide uses, copied from a run)."""

from __future__ import annotations

from typing import Any

import pytest

from app.site.demo import load_demo
from programmes.camps.tables import Camp
from programmes.incubation.tables import Cohort
from tests.factories.admin_browser import admin_login, axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

SHOTS = ROOT / ".seedbed" / "test" / "admin-programmes"

pytestmark = pytest.mark.browser


async def _shot(page: Any, name: str) -> None:
    await axe_clean(page)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_programme_pages_as_the_city_and_the_district_officer(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    assert await load_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = await admin_login(browser, server, "officer", "officer-pass-2026")
    try:
        await page.get_by_role("link", name="聚力计划对接").first.click()
        await expect(page.get_by_role("heading", name="聚力计划对接")).to_be_visible()
        await _shot(page, "matching-sessions")
        await page.get_by_role("link", name="2026 年长宁区聚力计划交流对接会").click()
        await expect(page.get_by_text("结果已发布")).to_be_visible()
        await page.get_by_role("button", name="婉拒后重新对接").click()
        await expect(page.get_by_text("已重新开放预览")).to_be_visible()
        await page.get_by_role("button", name="计算对接预览").click()
        await expect(page.get_by_text("已重新计算对接预览")).to_be_visible()
        await _shot(page, "matching-session")
        await page.goto(f"{server}/admin/matching/demands")
        await expect(page.get_by_role("heading", name="聚力计划需求审核")).to_be_visible()
        await _shot(page, "matching-demands")
        await page.goto(f"{server}/admin/matching/orders")
        await expect(page.get_by_role("heading", name="聚力计划订单与案例")).to_be_visible()
        await _shot(page, "matching-orders")

        await page.goto(f"{server}/admin/")
        await page.get_by_role("link", name="沪社星耀与训练营").first.click()
        await expect(page.get_by_role("heading", name="沪社星耀与训练营")).to_be_visible()
        await _shot(page, "incubation-index")
        await page.get_by_role("link", name="2025 年第一期").click()
        await expect(page.get_by_role("heading", name="扶持批次：2025 年第一期")).to_be_visible()
        await _shot(page, "cohort-dashboard")
        await page.get_by_role("button", name="预览分配（不写入）").click()
        await expect(page.get_by_text("导师分配").first).to_be_visible()
        await _shot(page, "cohort-mentors")
        await page.goto(f"{server}/admin/incubation")
        await page.get_by_role("link", name="2026 品牌塑造营（第一期）").click()
        await expect(page.get_by_role("heading", name="训练营：2026 品牌塑造营（第一期）")).to_be_visible()
        await _shot(page, "camp")
    finally:
        await page.context.close()

    # The 长宁区 officer: their district's session; a city cohort and camp are the uniform 404 page.
    city_cohort = await Cohort.select(Cohort.id).where(Cohort.scope_district.is_null()).first()
    city_camp = await Camp.select(Camp.id).where(Camp.scope_district.is_null()).first()
    page = await admin_login(browser, server, "changning", "changning-pass-2026")
    try:
        await page.get_by_role("link", name="聚力计划对接").first.click()
        await expect(page.get_by_role("link", name="2026 年长宁区聚力计划交流对接会")).to_be_visible()
        await _shot(page, "district-matching")
        await page.goto(f"{server}/admin/incubation")
        await _shot(page, "district-incubation")
        assert city_cohort is not None and city_camp is not None  # the demo's cohorts and camp are city-wide
        for hidden in (f"/admin/incubation/cohorts/{city_cohort['id']}", f"/admin/camps/{city_camp['id']}"):
            await page.goto(f"{server}{hidden}")
            await expect(page.get_by_text("记录不存在或不在您的管辖范围内")).to_be_visible()
        await _shot(page, "district-not-found")
    finally:
        await page.context.close()
