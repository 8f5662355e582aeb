"""The 公示与晋级 page in Chromium: a city officer publishes (after a refusal), handles an objection and finalises
(refused before the period ends); a district officer previews the stage advance, decides the tie at the cut line and
confirms, and gets the uniform 404 for a city round. axe-core with no serious or critical violation; screenshots in
``.seedbed/test/admin-publication/``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application
from scoring.tables import Publication
from tests import factories
from tests.factories.admin_browser import admin_login, axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.http import ok
from tests.factories.notice import closed_round, end_notice
from tests.factories.review import NO_TIME
from tests.factories.stages import review_and_close, staged_edition

SHOTS = ROOT / ".seedbed" / "test" / "admin-publication"

pytestmark = pytest.mark.browser


async def test_city_officer_publishes_handles_an_objection_and_finalises(
    client: httpx.AsyncClient,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    world, ranking = await closed_round(client)
    round_id = world["round"]["id"]
    titles = {a[2]["id"]: a[2]["title"] for a in world["apps"]}
    city = await factories.user(Role.officer)
    page = await admin_login(browser, server, city.principal.username)
    try:
        await page.get_by_role("link", name="公示与晋级").first.click()
        await expect(page.get_by_role("heading", name="公示与晋级", exact=True)).to_be_visible()
        await expect(page.get_by_role("cell", name="未公示")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "rounds.png"), full_page=True)
        await page.locator(f'a[href="/admin/rounds/{round_id}/publication"]').click()

        await page.fill("#pub-days", "0")
        await page.get_by_role("button", name="发布公示").click()
        await expect(page.locator("#pub-days-error")).to_contain_text("不能小于 1")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "publish-refused.png"), full_page=True)
        await page.fill("#pub-days", "7")
        await page.fill("#pub-top_n", "2")
        await page.get_by_role("button", name="发布公示").click()
        await expect(page.get_by_role("status")).to_have_text("公示已发布，已通知各申报单位")
        listed = page.locator("table", has=page.locator("caption", has_text="公示名单")).locator("tbody tr")
        await expect(listed).to_have_count(2)
        await expect(listed.first.get_by_role("link", name=titles[ranking[0]])).to_be_visible()
        download = await page.request.get(f"{server}/admin/rounds/{round_id}/publication.xlsx")
        assert download.status == 200 and (await download.body()).startswith(b"PK")

        publication = await Publication.select(Publication.id).first()
        assert publication is not None
        _, objector = await factories.organisation()
        ok(
            await client.post(
                f"/publications/{publication['id']}/objections",
                json={"application_id": ranking[1], "reason": "该项目预算明显偏高，请核查"},
                headers=objector.headers,
            ),
            201,
        )
        await page.reload()
        await expect(page.get_by_role("cell", name="该项目预算明显偏高，请核查")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "published-with-objection.png"), full_page=True)
        objection = page.locator("form", has=page.get_by_role("button", name="提交处理结果"))
        await objection.locator("select").select_option("dismissed")
        await objection.locator("textarea").fill("经核查预算与同类项目相当")
        await objection.get_by_role("button", name="提交处理结果").click()
        await expect(page.get_by_role("status")).to_have_text("异议已处理：不成立，公示结果不变")

        await page.get_by_role("button", name="公示结果生效").click()
        await expect(page.locator("#fin-submit-error")).to_contain_text("期满后方可生效")
        await page.screenshot(path=str(SHOTS / "finalise-refused.png"), full_page=True)
        await end_notice(publication["id"])
        await page.goto(f"{server}/admin/rounds/{round_id}/publication")  # not reload: that would post again
        await page.get_by_role("button", name="公示结果生效").click()
        await expect(page.get_by_role("status")).to_have_text("公示结果已生效")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "finalised.png"), full_page=True)
    finally:
        await page.context.close()


async def test_district_officer_advances_their_stage_with_a_tie_decided(
    client: httpx.AsyncClient,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city_round = (await factories.contest_round(await factories.user(Role.officer)))["id"]
    stages = await staged_edition(client, [District.xuhui] * 3, district=District.xuhui)
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    ok(await client.patch(f"/rounds/{prelim}", json={"tie_break": NO_TIME}, headers=stages.officer.headers))
    await review_and_close(client, stages, prelim, {first: 80, second: 80, third: 70})
    page = await admin_login(browser, server, stages.officer.principal.username)
    try:
        await page.goto(f"{server}/admin/publication")
        await expect(page.locator(f'a[href="/admin/rounds/{city_round}/publication"]')).to_have_count(0)
        await page.locator(f'a[href="/admin/rounds/{prelim}/publication"]').click()
        await page.fill("#adv-top_n", "1")
        await page.get_by_role("button", name="按此名额预览晋级名单").click()
        await expect(page.get_by_text("晋级总数线：第 1 名并列 2 个")).to_be_visible()
        await page.get_by_role("button", name="确认晋级").click()
        await expect(page.locator("#adv-commit-error")).to_contain_text("入围线上有并列")
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-advance-tie.png"), full_page=True)

        await page.get_by_label("睦邻计划 2").check()
        await page.fill("#tie-overall-1-reason", "实地走访表现更好")
        await page.get_by_role("button", name="裁定并列").click()
        await expect(page.get_by_role("status")).to_have_text("并列已裁定，并记入审计日志")
        await expect(page.get_by_text("已裁定晋级：睦邻计划 2")).to_be_visible()
        await page.get_by_role("button", name="确认晋级").click()
        await expect(page.get_by_role("status")).to_contain_text("晋级已确认")
        await expect(page.get_by_text("本阶段的晋级已确认")).to_be_visible()
        await axe_clean(page)
        await page.screenshot(path=str(SHOTS / "district-advanced.png"), full_page=True)
        assert await Application.count().where(Application.round == semi) == 1

        refused = await page.goto(f"{server}/admin/rounds/{city_round}/publication")
        assert refused is not None and refused.status == 404
        await expect(page.get_by_text("记录不存在或不在您的管辖范围内")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "district-out-of-scope.png"), full_page=True)
    finally:
        await page.context.close()
