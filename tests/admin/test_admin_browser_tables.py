"""Every table of the admin menu opens in Chromium: its detail page renders (no bounce home, no error), and an
export downloads with the admin session.

The table list comes from the admin itself (``/admin/api/tables/``), so a table added to the menu is covered
without touching this test. Screenshots of every page are kept in ``.seedbed/test/admin-tables/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories.browser import ROOT, browser, server  # noqa: F401 — fixtures shared with that test
from tests.factories.every_table import fill_every_table

SHOTS = ROOT / ".seedbed" / "test" / "admin-tables"
# The demo's city officer (app/site/demo/): city staff see every table.
LOGIN = ("officer", "officer-pass-2026")

pytestmark = pytest.mark.browser


async def test_every_menu_table_opens_its_detail_page(server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.async_api import expect

    world = await fill_every_table()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)
    problems: list[str] = []
    logged_in: list[bool] = []  # before login the admin's own 401s are expected

    async def on_dialog(dialog: Any) -> None:
        # The admin says alert("Page not found") before it bounces home; a listener must dismiss it itself.
        problems.append(f"{page.url}: dialog {dialog.message!r}")
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{page.url}: {r.status} {r.url}")
            if logged_in and "/api/" in r.url and r.status >= 400
            else None
        ),
    )
    try:
        await page.goto(f"{server}/admin/")
        await page.fill("input[name=username]", LOGIN[0])
        await page.fill("input[type=password]", LOGIN[1])
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("link", name=LOGIN[0])).to_be_visible()

        logged_in.append(True)
        names: list[str] = await (await page.request.get(f"{server}/admin/api/tables/")).json()
        assert {"application", "agreement", "bank_account", "attachment", "export_job", "piccolo_user"} <= set(names)
        opened = []
        for table in names:
            listed = await (await page.request.get(f"{server}/admin/api/tables/{table}/?__page_size=1")).json()
            assert listed["rows"], f"no row in {table}: add one in tests/factories/every_table.py"
            row_id = listed["rows"][0]["id"]
            schema = await (await page.request.get(f"{server}/admin/api/tables/{table}/schema/")).json()
            last_field = list(schema["properties"].values())[-1]["title"]
            # A full page load per table: moving the hash alone re-renders the previous row's form for a moment.
            await page.goto("about:blank")
            async with page.expect_response(lambda r, t=table, i=row_id: f"/api/tables/{t}/{i}/" in r.url) as row:
                await page.goto(f"{server}/admin/#/{table}/{row_id}/")
            assert (await row.value).status == 200, table
            try:
                await expect(page.locator("form label").filter(has_text=last_field).first).to_be_visible()
            except AssertionError as exc:
                raise AssertionError(f"{table} {row_id} did not render: {problems} (now at {page.url})") from exc
            await page.wait_for_load_state("networkidle")
            assert page.url.endswith(f"#/{table}/{row_id}/"), f"{table} bounced to {page.url}"
            await expect(page.locator("#message_popup.error")).to_have_count(0)
            await page.screenshot(path=str(SHOTS / f"{table}.png"), full_page=True)
            opened.append(table)
        assert opened == names

        # "Add row" on a table with a foreign key to the user table renders too.
        await page.goto(f"{server}/admin/#/application/add/")
        await page.wait_for_load_state("networkidle")
        await expect(page.locator("form").first).to_be_visible()
        assert page.url.endswith("#/application/add/")
        await page.screenshot(path=str(SHOTS / "application-add.png"), full_page=True)

        # The export made by the demo officer: downloaded through the admin form, and through the admin link.
        export_id = world["export_id"]
        await page.goto(f"{server}/admin/#/forms/{_slug('下载导出文件')}/")
        await page.select_option("select[data-pick-for=export_id]", str(export_id))
        async with page.expect_download() as download_info:
            await page.locator("[data-uitest=submit_custom_form_button]").click()
        download = await download_info.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert download.suggested_filename == f"seedbed-export-{export_id}.xlsx"
        assert saved.read_bytes()[:2] == b"PK"
        linked = await page.request.get(f"{server}/admin/exports/{export_id}/file")
        assert linked.status == 200 and (await linked.body())[:2] == b"PK"
        assert "filename*=UTF-8''" in linked.headers["content-disposition"]
        await page.screenshot(path=str(SHOTS / "download-form.png"), full_page=True)
    finally:
        await context.close()
    assert problems == []


def _slug(name: str) -> str:
    # Piccolo Admin's FormConfig.slug: the name lower-cased with spaces as dashes (the router takes it as is).
    return name.replace(" ", "-").lower()
