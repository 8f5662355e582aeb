"""Piccolo Admin's own tables in Chinese (issue 16): names for every menu table, column and code; the admin's schema
and row answers carry them (titles, labelled choices, names for keys, 元, Beijing time); writable reference tables
still save codes; a district officer's lists and rows stay their district's."""

from __future__ import annotations

import re

import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo.table import Table

from app.admin.choices import choice_labels
from app.admin.labels import column_label, table_label
from app.admin.localised import labels_script
from app.admin.site import MENU
from app.auth.tables import Account, Role
from app.reference import District
from programmes.tables import Award, Edition, FundSource
from tests.factories.admin import AdminFactory, draft_batch
from tests.factories.admin_http import edit_form_body, ok
from tests.factories.world import row_counts

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

EVERY_TABLE: list[type[Table]] = [Account, BaseUser, *(t for t, *_ in MENU)]
CJK = re.compile(r"[\u4e00-\u9fff]")
UTC_Z = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$")


def test_every_menu_table_and_column_has_a_chinese_name() -> None:
    fallbacks = [t._meta.tablename for t in EVERY_TABLE if table_label(t._meta.tablename) == t._meta.tablename]
    for table in EVERY_TABLE:
        name = table._meta.tablename
        fallbacks += [
            f"{name}.{c._meta.name}" for c in table._meta.columns if not CJK.search(column_label(name, c._meta.name))
        ]
    assert fallbacks == []


def test_every_code_of_a_labelled_column_has_a_chinese_name() -> None:
    unnamed = []
    for table in EVERY_TABLE:
        for column in table._meta.columns:
            labels = choice_labels(table, column._meta.name) or {}
            # Evaluation grades are named 1A … 5A in Chinese too.
            unnamed += [
                f"{table._meta.tablename}.{column._meta.name}={code}"
                for code, label in labels.items()
                if not CJK.search(label) and not re.fullmatch(r"[1-5]A", label)
            ]
    assert unnamed == []
    # Every status column of a workflow table is labelled, and the districts are the 16 of Shanghai.
    assert set(choice_labels(Award, "status") or {}) == {"active", "cancelled"}
    assert len(choice_labels(Account, "district") or {}) == 16


def test_the_page_script_knows_every_table_and_column() -> None:
    script = labels_script({t._meta.tablename: t for t in EVERY_TABLE})
    assert '"bank account": "收款银行账户"' in script and '"Less Than": "小于"' in script
    assert '"amount_fen": "资助金额（元）"' in script and "Asia/Shanghai" in script


async def test_schema_and_rows_speak_chinese_with_names_yuan_and_beijing_time(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    await draft_batch(city.user, None)  # an award with tranches, a budget line, a fund source, a batch

    schema = ok(await city.get("tables/award/schema/"))
    titles = {name: prop["title"] for name, prop in schema["properties"].items()}
    assert titles["amount_fen"] == "资助金额（元）" and titles["payee"] == "收款单位" and titles["status"] == "状态"
    status = schema["properties"]["status"]["extra"]["choices"]
    assert status["active"]["value"] == "active" and CJK.search(status["active"]["display_name"]), status
    district = schema["properties"]["scope_district"]["extra"]["choices"]
    assert district["changning"] == {"display_name": "长宁区", "value": "changning"} and len(district) == 16
    # On a read-only table money and times are shown as text, and leave the filter sidebar.
    assert {"type": "string"} in schema["properties"]["amount_fen"]["anyOf"]
    assert "amount_fen" not in schema["extra"]["visible_filter_names"]
    assert "created_at" not in schema["extra"]["visible_filter_names"]

    award = ok(await city.get("tables/award/?__readable=true"))["rows"][0]
    assert award["amount_fen"].endswith(" 元") and "," in award["amount_fen"]
    assert not UTC_Z.search(award["created_at"]) and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", award["created_at"])
    assert not award["application_readable"].isdigit() and not award["payee_readable"].isdigit()
    assert " · " in award["budget_line_readable"]  # the edition and the fund source
    detail = ok(await city.get(f"tables/award/{award['id']}/?__readable=true"))
    assert detail["amount_fen"] == award["amount_fen"] and not UTC_Z.search(detail["created_at"])
    # Without __readable (the API's own callers, the edit form helpers) the row is untouched.
    raw = ok(await city.get(f"tables/award/{award['id']}/"))
    assert isinstance(raw["amount_fen"], int) and raw["created_at"][10] == "T"

    batch = ok(await city.get("tables/payment_batch/?__readable=true"))["rows"][0]
    assert batch["created_by_readable"] != str(batch["created_by"])

    page = await city.http.get("/admin/")
    assert '<html lang="zh-CN">' in page.text and "seedbed-labels.js" in page.text
    script = await city.http.get("/admin/seedbed-labels.js")
    assert script.status_code == 200 and "收款银行账户" in script.text


async def test_a_writable_reference_table_still_saves_codes(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    await draft_batch(city.user, None)
    [source] = await FundSource.select(FundSource.id, FundSource.kind)
    schema = ok(await city.get("tables/fund_source/schema/"))
    kinds = schema["properties"]["kind"]["extra"]["choices"]
    assert {c["value"] for c in kinds.values()} == {"welfare_lottery", "fiscal", "foundation"}
    assert kinds["fiscal"]["display_name"] == "财政资金"
    # The detail page reads the row as it is (codes, no 元): the form sends back what it read, plus the chosen code.
    detail = ok(await city.get(f"tables/fund_source/{source['id']}/?__readable=true"))
    assert detail["kind"] == source["kind"]
    body = {**await edit_form_body(city, "fund_source", source["id"]), "kind": "fiscal"}
    ok(await city.patch(f"tables/fund_source/{source['id']}/", body))
    assert (await FundSource.select(FundSource.kind).where(FundSource.id == source["id"]).first()) == {"kind": "fiscal"}

    [edition] = await Edition.select(Edition.id).limit(1)
    shown = ok(await city.get(f"tables/edition/{edition['id']}/?__readable=true"))
    assert shown["created_at"][10] == "T"  # an ISO time: Piccolo's widget shows it in Beijing time


async def test_a_district_officer_gets_their_rows_and_the_uniform_refusal(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None and changning.user is not None
    city_batch = await draft_batch(city.user, None)
    mine = await draft_batch(changning.user, District.changning)
    assert city_batch and mine
    counts = await row_counts()

    awards = ok(await changning.get("tables/award/?__readable=true"))["rows"]
    assert awards and {a["scope_district"] for a in awards} == {"changning"}
    assert all(a["amount_fen"].endswith(" 元") for a in awards)
    others = await Award.select(Award.id).where(Award.scope_district.is_null())
    assert others
    refused = await changning.get(f"tables/award/{others[0]['id']}/?__readable=true")
    assert refused.status_code == 404 and "记录不存在或不在您的管辖范围内" in refused.text
    assert await row_counts() == counts
