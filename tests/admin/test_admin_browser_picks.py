"""The admin forms' dropdowns in Chromium (app.admin.picks): a city officer and a district officer open 申报批量操作,
开放轮次, 发布公示 and 审批支付批次, see Chinese labels instead of codes and ids, pick and submit. axe-core finds no
serious or critical violation on the forms; screenshots go to ``.seedbed/test/admin-picks/``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.tables import PaymentBatch, Round
from tests import factories
from tests.factories.admin import PASSWORD, draft_batch
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures

SHOTS = ROOT / ".seedbed" / "test" / "admin-picks"

pytestmark = pytest.mark.browser


async def _axe_clean(page: Any) -> None:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, context="#app form")
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], [
        (v["id"], [(n["target"], n.get("any", [{}])[0].get("data")) for n in v["nodes"]][:3]) for v in bad
    ]


async def _login(browser: Any, server: str, username: str) -> Any:  # noqa: F811
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", username)
    await page.fill("input[type=password]", PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=username)).to_be_visible()
    return page


async def _open_form(page: Any, base: str, name: str) -> None:
    from playwright.async_api import expect

    await page.goto(f"{base}/admin/#/forms/{quote(name)}/")
    # A fresh page: Piccolo keeps the last form's success message when only the address's #-part changes.
    await page.reload()
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    await expect(page.locator("#app form select").first).to_be_visible()


async def _options(page: Any, field: str) -> list[str]:
    texts: list[str] = await page.locator(f"select[data-pick-for={field}] option").all_inner_texts()
    return texts


async def _draft_round(officer: factories.User, edition_id: int, name: str) -> int:
    from app.timezone import now_utc
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round

    now = now_utc()
    created = await create_round(
        officer.principal,
        edition_id,
        RoundCreate(
            name=name,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            blind=True,
            form_title="申报书",
            form_schema=factories.FORM,
            criteria=[CriterionIn(**c) for c in factories.CRITERIA],
        ),
    )
    return int(created.id)


async def test_city_officer_picks_from_dropdowns(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    changning = await factories.contest_round(city, district=District.changning)
    await factories.contest_round(city, district=District.pudong)
    draft = await _draft_round(city, changning["edition_id"], "复赛")
    page = await _login(browser, server, city.principal.username)
    try:
        # 申报批量操作: the action is a list of Chinese labels; the code is what the form posts.
        await _open_form(page, server, "申报批量操作")
        actions = await _options(page, "action")
        assert "退回修改" in actions and "驳回" in actions
        assert not [a for a in actions if "return_for_revision" in a]
        await page.select_option("select[data-pick-for=action]", label="退回修改")
        assert await page.locator("input[name=action]").input_value() == "return_for_revision"
        await _axe_clean(page)
        await page.screenshot(path=str(SHOTS / "bulk-action.png"), full_page=True)

        # 开放轮次: every district's rounds by name, with whose each is; pick the draft and open it.
        await _open_form(page, server, "开放轮次")
        rounds = await _options(page, "round_id")
        assert {"2026 · 复赛（长宁区）", "2026 · 初赛（长宁区）", "2026 · 初赛（浦东新区）"} <= set(rounds)
        await page.select_option("select[data-pick-for=round_id]", str(draft))
        await _axe_clean(page)
        await page.screenshot(path=str(SHOTS / "open-round-city.png"), full_page=True)
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.locator("#success_message")).to_have_text(f"轮次 {draft} 已开放申报")
        assert await Round.select(Round.status).where(Round.id == draft).first() == {"status": "open"}

        # 发布公示: the same round list, on another area's form.
        await _open_form(page, server, "发布公示")
        assert "2026 · 初赛（浦东新区）" in await _options(page, "round_id")
        await page.screenshot(path=str(SHOTS / "publish-city.png"), full_page=True)
    except Exception:
        await page.screenshot(path=str(SHOTS / "city-failure.png"), full_page=True)
        raise
    finally:
        await page.context.close()


async def test_district_officer_picks_only_their_district(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    pudong = await factories.contest_round(city, district=District.pudong)
    batch = await draft_batch(city, District.changning)
    officer = await factories.user(Role.officer, District.changning)
    mine = await Round.count().where(Round.scope_district == District.changning.value)
    page = await _login(browser, server, officer.principal.username)
    try:
        # 开放轮次: only the district's rounds (the prompt first, typing a number last), no suffix, nothing of 浦东.
        await _open_form(page, server, "开放轮次")
        rounds = await _options(page, "round_id")
        assert (rounds[0], rounds[-1], len(rounds)) == ("请选择…", "输入编号…", mine + 2)
        assert not [r for r in rounds[1:-1] if "（" in r]
        await page.screenshot(path=str(SHOTS / "open-round-district.png"), full_page=True)
        # Another district's round typed by number: the service's uniform refusal, nothing changes.
        await page.select_option("select[data-pick-for=round_id]", label="输入编号…")
        await page.fill("input[name=round_id]", str(pudong["id"]))
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.get_by_text("轮次不存在或无权访问")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "open-round-typed-outside.png"), full_page=True)

        # 审批支付批次: the district's draft batch by its title; approving it runs the service (second officer).
        await _open_form(page, server, "审批支付批次")
        batches = await _options(page, "batch_id")
        assert [b for b in batches if b.startswith("第一批")], batches
        await page.select_option("select[data-pick-for=batch_id]", str(batch["id"]))
        await _axe_clean(page)
        await page.screenshot(path=str(SHOTS / "approve-batch-district.png"), full_page=True)
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.locator("#success_message")).to_have_text(
            f"支付批次 {batch['id']} 已审批，共 30,000.00 元，正在后台支付"
        )
        status = await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first()
        assert status is not None and status["status"] != "draft"

        # Submitting without a choice: the Chinese refusal, nothing changes.
        await _open_form(page, server, "开放轮次")
        await page.locator("[data-uitest=submit_custom_form_button]").click()
        await expect(page.get_by_text("轮次：请从下拉列表中选择")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "open-round-refused.png"), full_page=True)
    except Exception:
        await page.screenshot(path=str(SHOTS / "district-failure.png"), full_page=True)
        raise
    finally:
        await page.context.close()
