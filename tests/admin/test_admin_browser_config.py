"""新建轮次 in Chromium: an officer fills the structured form, sees the API's Chinese error for a deadline before the
opening, corrects it and creates the round. Screenshots go to ``.seedbed/test/admin-config/``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Round
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — fixtures shared with the admin browser tests

SHOTS = ROOT / ".seedbed" / "test" / "admin-config"

pytestmark = pytest.mark.browser


async def test_officer_creates_a_round_in_the_browser(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    officer = await factories.user(Role.officer, District.changning)
    contest = await factories.contest_round(officer, district=District.changning)
    edition = await Round.select(Round.edition).where(Round.id == contest["id"]).first()
    assert edition is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    try:
        await page.goto(f"{server}/admin/")
        await page.fill("input[name=username]", officer.principal.username)
        await page.fill("input[type=password]", PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("link", name=officer.principal.username)).to_be_visible()
        forms = await (await page.request.get(f"{server}/admin/api/forms/")).json()
        slug = {f["name"]: f["slug"] for f in forms}["新建轮次"]
        await page.goto(f"{server}/admin/#/forms/{quote(slug)}/")
        await expect(page.locator("[data-uitest=submit_custom_form_button]")).to_be_visible()
        for label in (
            "届次",
            "阶段（申报、区级推荐、初赛",
            "开放时间（北京时间）",
            "排名汇总方法",
            "赛道 1：名称",
        ):
            await expect(page.get_by_text(label).first).to_be_visible()

        # Edition and stage are dropdowns (app.admin.picks): the edition by name, the stage by its Chinese label.
        await page.select_option("select[data-pick-for=edition_id]", str(edition["edition"]))
        await page.fill("input[name=name]", "复赛")
        await page.select_option("select[data-pick-for=stage]", "复赛")
        await page.fill("input[name=position]", "2")
        # The date-time fields are the browser's own picker (a hidden input carries the value): Beijing time.
        opens, closes = (
            page.locator("input[type=datetime-local]").nth(0),
            page.locator("input[type=datetime-local]").nth(1),
        )
        await opens.fill("2030-03-01T09:00")
        await closes.fill("2030-02-01T17:00")  # before the opening
        await page.fill("input[name=criterion_1_code]", "innovation")
        await page.fill("input[name=criterion_1_name]", "创新性")
        await page.fill("input[name=criterion_1_weight]", "100")
        await page.fill("input[name=criterion_1_max_score]", "100")
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.get_by_text("截止时间必须晚于开放时间")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "new-round-error.png"), full_page=True)
        assert await Round.count().where(Round.edition == edition["edition"]) == 1

        await closes.fill("2030-04-01T17:00")
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.locator("#success_message")).to_contain_text("「复赛」已创建（草稿）")
        await page.screenshot(path=str(SHOTS / "new-round-created.png"), full_page=True)
        created = await Round.select(Round.stage, Round.closes_at).where(Round.name == "复赛").first()
        assert created is not None and created["stage"] == "semifinal"
        assert created["closes_at"].isoformat() == "2030-04-01T09:00:00+00:00"  # 17:00 Beijing
    except Exception:
        await page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
        raise
    finally:
        await context.close()
