"""「导出 xlsx（当前筛选）」 on Piccolo Admin's application list in Chromium, as a city officer (a status filter set in
the list's own filter panel) and as a district officer (only their district's rows): the downloaded workbook holds
exactly the rows of the list's filter. axe-core on the button; screenshots in ``.seedbed/test/admin-exports/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — pytest fixtures
from tests.factories.reader import screening_round

SHOTS = ROOT / ".seedbed" / "test" / "admin-exports"
BUTTON = "导出 xlsx（当前筛选）"

pytestmark = pytest.mark.browser


async def _login(browser: Any, server: str, username: str) -> Any:  # noqa: F811
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", username)
    await page.fill("input[type=password]", PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=username)).to_be_visible()
    return page


async def _axe_clean_button(page: Any) -> None:
    """Our button only: the rest of the page is Piccolo Admin's own markup, which this part does not change."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, context="#seedbed-list-export")
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], [(v["id"], v["help"]) for v in bad]


async def _download(page: Any, tmp: Path, name: str) -> list[tuple[Any, ...]]:
    async with page.expect_download() as started:
        await page.get_by_role("link", name=BUTTON).click()
    download = await started.value
    target = tmp / name
    await download.save_as(target)
    assert download.suggested_filename.endswith(".xlsx")
    return list(load_workbook(target).worksheets[0].iter_rows(values_only=True))


async def _open_list(page: Any, server: str, table: str) -> None:  # noqa: F811
    from playwright.async_api import expect

    async with page.expect_response(lambda r: f"/api/tables/{table}/?" in r.url and r.status == 200):
        await page.goto(f"{server}/admin/#/{table}/")
    await expect(page.get_by_role("link", name=BUTTON)).to_be_visible()


async def test_city_officer_exports_the_filtered_list(server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    made = await screening_round(city, None, count=3)
    rejected = made.application_ids[0]
    await Application.update({Application.status: "rejected"}).where(Application.id == rejected)
    page = await _login(browser, server, city.principal.username)
    try:
        await _open_list(page, server, "application")
        unfiltered = await _download(page, tmp_path, "all.xlsx")
        assert {int(r[0]) for r in unfiltered[1:]} == set(made.application_ids)

        # The list's own filter panel: status = submitted (a text box, or a dropdown once the column has choices).
        await page.get_by_text("显示过滤器").first.click()
        status = page.locator("form [name=status]").first
        if await status.evaluate("e => e.tagName") == "SELECT":
            await status.select_option("submitted")
        else:
            await status.fill("submitted")
        async with page.expect_response(lambda r: "/api/tables/application/?" in r.url and "status=submitted" in r.url):
            await page.locator("[data-uitest=submit_filter_button]").click()
        link = page.get_by_role("link", name=BUTTON)
        # The very query the list sent (its match types and order too), without the paging.
        await expect(link).to_have_attribute(
            "href", re.compile(r"^\./tables/application/export\.xlsx\?.*status=submitted")
        )
        assert "__page" not in (await link.get_attribute("href"))
        await page.screenshot(path=SHOTS / "city-application-list-filtered.png", full_page=True)
        await _axe_clean_button(page)
        rows = await _download(page, tmp_path, "filtered.xlsx")
        assert [int(r[0]) for r in rows[1:]] == made.application_ids[1:]
        assert rows[0][-1].endswith("（北京时间）")
        assert {r[5] for r in rows[1:]} == {"已提交"}
    finally:
        await page.context.close()


async def test_district_officer_exports_only_their_district(server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    city = await factories.user(Role.officer)
    mine = await screening_round(city, District.changning, count=2)
    await screening_round(city, District.pudong, count=2)
    officer = await factories.user(Role.officer, District.changning)
    page = await _login(browser, server, officer.principal.username)
    try:
        await _open_list(page, server, "application")
        await page.screenshot(path=SHOTS / "district-application-list.png", full_page=True)
        rows = await _download(page, tmp_path, "district.xlsx")
        assert sorted(int(r[0]) for r in rows[1:]) == sorted(mine.application_ids)
        # A city-only table: the export refuses with the uniform page, like the list itself.
        await page.goto(f"{server}/admin/tables/audit_entry/export.xlsx")
        await page.get_by_text("记录不存在或不在您的管辖范围内").wait_for()
        await page.screenshot(path=SHOTS / "district-city-only-refused.png", full_page=True)
    finally:
        await page.context.close()
