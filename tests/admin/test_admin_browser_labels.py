"""Piccolo Admin's own tables in Chromium speak Chinese: every menu table's list and detail page, as a city officer,
and a district officer's lists holding their district's rows only.

Each page is checked for: the table's Chinese name on screen, Chinese column names (no English field names), no
UTC time with ``Z``, and foreign keys shown by name (no bare number where the referenced table has a readable).
Axe-core runs on a list and a detail page. Screenshots in ``.seedbed/test/admin-labels/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.admin.labels import table_label
from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.admin import PASSWORD
from tests.factories.browser import ROOT, browser, server  # noqa: F401 — fixtures shared with that test
from tests.factories.every_table import fill_every_table
from tests.factories.reader import screening_round

SHOTS = ROOT / ".seedbed" / "test" / "admin-labels"
CITY = ("officer", "officer-pass-2026")  # the demo's city officer (app/site/demo/)
UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Column titles may name a format by its usual name.
ALLOWED_ENGLISH = {"JSON"}
SHOT_TABLES = {"application", "award", "review_assignment", "tranche", "demand", "camp_registration", "organisation"}

pytestmark = pytest.mark.browser


async def _axe_violations(page: Any) -> list[Any]:
    """Serious or critical axe-core violations on the page (none expected)."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [(page.url, v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in bad]


async def _login(browser: Any, server: str, login: tuple[str, str]) -> tuple[Any, Any, list[str]]:  # noqa: F811
    from playwright.async_api import expect

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    await page.goto(f"{server}/admin/")
    await page.fill("input[name=username]", login[0])
    await page.fill("input[type=password]", login[1])
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name=login[0])).to_be_visible()
    return context, page, problems


def _english(texts: list[str]) -> list[str]:
    return [t for t in texts if any(w not in ALLOWED_ENGLISH for w in ENGLISH_WORD.findall(t))]


async def _bare_ids(page: Any, base: str, table: str) -> list[str]:
    """Foreign keys of the first rows whose name is a bare number although the referenced table names its rows."""
    from app.admin.readables import READABLES

    named = {t._meta.tablename for t in READABLES}
    schema = await (await page.request.get(f"{base}/admin/api/tables/{table}/schema/")).json()
    listed = await page.request.get(f"{base}/admin/api/tables/{table}/?__readable=true&__page_size=5")
    rows = (await listed.json())["rows"]
    keys = [
        name
        for name, prop in schema["properties"].items()
        if ((prop.get("extra") or {}).get("foreign_key") or {}).get("to") in named
    ]
    return [f"{table}.{k}={r[f'{k}_readable']!r}" for r in rows for k in keys if str(r.get(f"{k}_readable")).isdigit()]


async def test_every_menu_table_lists_and_opens_in_chinese(server: str, browser: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    await fill_every_table()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    context, page, problems = await _login(browser, server, CITY)
    try:
        names: list[str] = await (await page.request.get(f"{server}/admin/api/tables/")).json()
        assert len(names) > 80
        found: list[str] = []
        for table in names:
            await page.goto("about:blank")
            await page.goto(f"{server}/admin/#/{table}")
            await page.wait_for_load_state("networkidle")
            await expect(page.locator("h1").filter(has_text=table_label(table)).first).to_be_visible()
            headers = await page.locator(".table_wrapper table th").all_inner_texts()
            found += [f"{table} list: column {h!r}" for h in _english(headers)]
            body = await page.locator("body").inner_text()
            found += [f"{table} list: time {t!r}" for t in UTC_TIME.findall(body)][:1]
            found += await _bare_ids(page, server, table)
            if table in SHOT_TABLES:
                await page.screenshot(path=str(SHOTS / f"list-{table}.png"), full_page=True)
            if table == "application":
                found += await _axe_violations(page)

            listed = await (await page.request.get(f"{server}/admin/api/tables/{table}/?__page_size=1")).json()
            row_id = listed["rows"][0]["id"]
            await page.goto("about:blank")
            await page.goto(f"{server}/admin/#/{table}/{row_id}/")
            await page.wait_for_load_state("networkidle")
            labels = await page.locator("form label").all_inner_texts()
            headings = await page.locator("h1").all_inner_texts()
            found += [] if any(table_label(table) in h for h in headings) else [f"{table} detail: {headings!r}"]
            assert labels, f"{table} {row_id}: the detail page did not render"
            found += [f"{table} detail: label {x!r}" for x in _english(labels)]
            values: list[str] = await page.locator("form input:not([type=hidden])").evaluate_all(
                "els => els.map(e => e.value)"
            )
            found += [f"{table} detail: time {v!r}" for v in values if UTC_TIME.search(v)][:1]
            if table in SHOT_TABLES:
                await page.screenshot(path=str(SHOTS / f"detail-{table}.png"), full_page=True)
            if table == "application":
                found += await _axe_violations(page)
        # The sidebar names the tables in Chinese.
        await page.goto(f"{server}/admin/#/bank_account")
        await expect(page.get_by_role("link", name="收款银行账户").first).to_be_visible()
        assert found == [], "\n".join(map(str, found))
    finally:
        await context.close()
    assert problems == []


async def test_a_district_officer_lists_only_their_district_with_a_district_dropdown(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    officer = await factories.user(Role.officer, District.changning)
    await screening_round(officer, District.changning, count=2, title="长宁睦邻")
    city = await factories.user(Role.officer)
    await screening_round(city, None, count=2, title="市级助餐")
    context, page, problems = await _login(browser, server, (officer.principal.username, PASSWORD))
    try:
        listed = await (await page.request.get(f"{server}/admin/api/tables/application/?__readable=true")).json()
        assert len(listed["rows"]) == 2 and {r["scope_district"] for r in listed["rows"]} == {"changning"}
        await page.goto(f"{server}/admin/#/application")
        await page.wait_for_load_state("networkidle")
        await expect(page.locator("h1").filter(has_text="申报").first).to_be_visible()
        await page.screenshot(path=str(SHOTS / "district-application.png"))
        await expect(page.locator(".table_wrapper table tbody tr")).to_have_count(len(listed["rows"]))
        await expect(page.locator(".table_wrapper table th").filter(has_text="申报状态")).to_be_visible()
        for row in listed["rows"]:
            await expect(page.locator(".table_wrapper table tbody").get_by_text(row["title"]).first).to_be_visible()
        # The filter sidebar: the district is a dropdown of the 16 districts, the status a dropdown of Chinese states.
        await page.get_by_text("显示过滤器").first.click()
        district = page.locator("select[name=organisation_district]")
        await expect(district).to_be_visible()
        options = await district.locator("option").all_inner_texts()
        assert {"长宁区", "浦东新区", "崇明区"} <= set(options) and len([o for o in options if o.endswith("区")]) == 16
        status = await page.locator("select[name=status]").locator("option").all_inner_texts()
        assert "已提交" in status and "submitted" not in status
        await page.screenshot(path=str(SHOTS / "district-application-filters.png"), full_page=True)
        await expect(page.locator(".table_wrapper table tbody").get_by_text("市级助餐")).to_have_count(0)
    finally:
        await context.close()
    assert problems == []
