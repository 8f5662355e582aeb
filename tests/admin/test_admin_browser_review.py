"""The review page in Chromium (issue 16 task 4), as a city officer and as a district officer: preview, ticked and full
commit, a refused manual assignment, 催办, removal, the closed round's ranking; axe-core with no serious or critical
violation, screenshots in ``.seedbed/test/admin-review/``."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin_browser import admin_login, axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.review_admin import closed_review_world, review_world

SHOTS = ROOT / ".seedbed" / "test" / "admin-review"

pytestmark = pytest.mark.browser


async def test_city_officer_runs_a_rounds_review_in_the_browser(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    world = await review_world(city, None, experts=3, applications=2, reviews_per_application=2)
    page = await admin_login(browser, server, city.principal.username)
    try:
        await page.get_by_role("link", name="专家评审").first.click()
        await page.get_by_role("link", name="2026 · 初赛").first.click()
        await expect(page.get_by_role("heading", name="专家评审：2026 · 初赛")).to_be_visible()
        await page.select_option("#preview-mode", "total")
        await page.get_by_role("button", name="生成分配预览").click()
        await expect(page.get_by_role("table", name="分配预览（尚未写入；勾选后可只提交部分配对）")).to_be_visible()
        await expect(page.get_by_role("cell", name=world.expert_names[0]).first).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "review-preview.png"), full_page=True)

        # Tick one pair and commit it alone, then commit the rest.
        await page.locator("input[name=pairs]").first.check()
        await page.get_by_role("button", name="只提交勾选的配对").click()
        await expect(page.get_by_text("已写入 1 个评审配对")).to_be_visible()
        await page.get_by_role("button", name="生成分配预览").click()
        await page.get_by_role("button", name="全部提交").click()
        await expect(page.get_by_text("已写入 3 个评审配对")).to_be_visible()

        # A manual assignment of a pair that exists is refused next to the form.
        await page.select_option("#assign-application", str(world.application_ids[0]))
        held = await page.locator("#step-assignment option").first.inner_text()
        expert = next(n for n in world.expert_names if f"— {n}" in held)
        await page.select_option(
            "#assign-expert",
            label=next(
                o for o in await page.locator("#assign-expert option").all_inner_texts() if o.startswith(expert)
            ),
        )
        await page.get_by_role("button", name="分配", exact=True).click()
        await expect(page.locator("#assign-error")).to_contain_text("该专家已分配到此申报")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "review-assign-refused.png"), full_page=True)

        # 催办, then remove one assignment with a reason.
        await page.get_by_role("button", name="向有待评审任务的专家发送催办").click()
        await expect(page.get_by_role("status")).to_contain_text("已发送催办通知 4 条")
        await page.get_by_role("button", name="向有待评审任务的专家发送催办").click()
        await expect(page.get_by_role("status")).to_contain_text("已发送催办通知 0 条")
        await page.select_option("#step-action", "remove")
        await page.fill("#step-reason", "专家出差，无法按期评审")
        await page.get_by_role("button", name="执行").click()
        await expect(page.get_by_role("status")).to_contain_text("已撤销分配")
        await expect(page.get_by_role("table", name="按专家统计（逾期：截止时间已过仍未提交评分）")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "review-progress.png"), full_page=True)

        # A closed round: the ranking with every method side by side, outliers and ICC, and its xlsx.
        closed = await closed_review_world(city, None)
        await page.goto(f"{server}/admin/rounds/{closed.round_id}/review")
        await page.get_by_role("link", name="查看本轮排名（各汇总方法并列）、离群评分与评分信度").click()
        await expect(page.get_by_role("columnheader", name="加权平均（本轮方法）")).to_be_visible()
        await expect(page.get_by_text(f"离群评分：{closed.expert_names[3]}").first).to_be_visible()
        await expect(page.get_by_text("ICC(1)：单个专家评分的信度")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "review-ranking.png"), full_page=True)
        xlsx = await page.request.get(f"{server}/admin/rounds/{closed.round_id}/ranking.xlsx")
        assert xlsx.status == 200 and (await xlsx.body()).startswith(b"PK")
    finally:
        await page.context.close()


async def test_district_officer_reviews_only_their_district(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    pudong = await review_world(city, District.pudong, experts=2, applications=1, title="浦东助老")
    officer = await factories.user(Role.officer, District.changning)
    mine = await review_world(officer, District.changning, experts=2, applications=2, title="长宁睦邻")
    page = await admin_login(browser, server, officer.principal.username)
    try:
        await page.goto(f"{server}/admin/review")
        await expect(page.get_by_role("link", name="2026 · 初赛")).to_have_count(1)
        await page.get_by_role("link", name="2026 · 初赛").click()
        await page.get_by_role("button", name="生成分配预览").click()
        await expect(page.get_by_role("link", name="长宁睦邻1（测试社会组织", exact=False).first).to_be_visible()
        await expect(page.get_by_text("浦东助老")).to_have_count(0)
        await page.get_by_role("button", name="全部提交").click()
        await expect(page.get_by_text("已写入 4 个评审配对")).to_be_visible()
        await expect(page.get_by_role("cell", name=mine.expert_names[0]).first).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-review.png"), full_page=True)
        refused = await page.goto(f"{server}/admin/rounds/{pudong.round_id}/review")
        assert refused is not None and refused.status == 404
        await expect(page.get_by_text("记录不存在或不在您的管辖范围内")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "district-out-of-scope.png"), full_page=True)
    finally:
        await page.context.close()
