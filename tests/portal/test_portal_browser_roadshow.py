"""A judge on a phone (375 px) at the final's roadshow: the entry on stage with large score buttons, a score refused
once the presentation's window has closed (the service's Chinese message), the next entry brought in by the page's
own polling, and a submit with one 不适用; Chromium, screenshots in .seedbed/test/portal/ and the axe check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scoring.roadshow.window import CLOSED_ZH
from scoring.tables import ReviewAssignment
from tests.factories.admin import PASSWORD
from tests.factories.admin_browser import axe_clean
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.expert_portal import identities_of
from tests.factories.roadshow import assignment_of, drawn, final_round, present

pytestmark = pytest.mark.browser

SHOTS = ROOT / ".seedbed" / "test" / "portal"
PHONE = {"width": 375, "height": 800}


async def _checked(page: Any, identities: list[str], shot: str) -> None:
    await axe_clean(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    html = await page.content()
    assert [value for value in identities if value in html] == []
    await page.screenshot(path=str(SHOTS / shot), full_page=True)


async def test_a_judge_scores_live_and_is_refused_outside_the_window_on_a_phone(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    async with httpx.AsyncClient(base_url=server) as api:
        # No grace period: stopping a presentation closes its scoring window at once.
        final = await final_round(api, judges=2, entries=2, blind=True, grace_seconds=0, allow_na=("innovation",))
        await drawn(api, final)
        first, second = (p["application_id"] for p in final.session["presentations"])
        await present(api, final, first, stop=False)
    identities = await identities_of(final.entries)
    judge = final.judges[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.fill("#username", judge.principal.username)
        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("link", name="路演现场评分").click()
        await page.locator(".card h2 a").first.click()
        await expect(page.get_by_role("heading", name="现在上台 · 第 1 位")).to_be_visible()
        innovation = page.locator("fieldset", has_text="创新性")
        feasibility = page.locator("fieldset", has_text="可行性")
        await innovation.get_by_role("radio", name="80", exact=True).check()
        await feasibility.get_by_role("radio", name="70", exact=True).check()
        await _checked(page, identities, "roadshow-live.png")

        async with httpx.AsyncClient(base_url=server) as api:  # the officer stops the first presentation
            pid = final.presentation(first)["id"]
            stopped = await api.post(f"/roadshow-presentations/{pid}/stop", headers=final.officer.headers)
            assert stopped.status_code == 200, stopped.text
        await page.get_by_role("button", name="提交评分").click()
        await expect(page.get_by_role("alert")).to_contain_text(CLOSED_ZH)
        await _checked(page, identities, "roadshow-refused.png")
        row = await ReviewAssignment.select().where(ReviewAssignment.id == await assignment_of(judge, first)).first()
        assert row is not None and row["status"] == "assigned" and row["scores"] in ({}, "{}")

        async with httpx.AsyncClient(base_url=server) as api:  # the next entry goes on stage
            await present(api, final, second, stop=False)
        # No click: the page's polling brings the next presentation in.
        await expect(page.get_by_role("heading", name="现在上台 · 第 2 位")).to_be_visible()
        await innovation.get_by_role("radio", name="不适用", exact=True).check()
        await feasibility.get_by_role("radio", name="60", exact=True).check()
        await page.get_by_role("button", name="提交评分").click()
        await expect(page.get_by_role("status")).to_have_text("已提交第 2 位项目的评分")
        await _checked(page, identities, "roadshow-submitted.png")
        done = await ReviewAssignment.select().where(ReviewAssignment.id == await assignment_of(judge, second)).first()
        assert done is not None and done["status"] == "submitted"
        assert done["scores"] in ({"innovation": None, "feasibility": 60}, '{"innovation": null, "feasibility": 60}')
    finally:
        await context.close()
