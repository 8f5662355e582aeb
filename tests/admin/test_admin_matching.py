"""聚力计划 in the admin: the matching tables are listed read-only (menu 聚力计划), district officers see their
district's rows only, and the forms call the services (the same scope, workflow and audit)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.admin import FORMS, MENU
from app.auth.tables import Role
from app.reference import District
from programmes.matching.tables import Demand, MatchingCase, MatchOrder
from tests.factories import matching_cases as cases
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import row_ids
from tests.factories.matching import community, demand

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

MATCHING_TABLES = {
    "community",
    "community_member",
    "matching_tag",
    "demand",
    "service_offer",
    "offer_version",
    "matching_session",
    "session_pair",
    "session_unmatched",
    "match_order",
    "demand_bid",
    "delivery_record",
    "order_evaluation",
    "matching_case",
}


def form(name: str) -> str:
    return f"forms/{quote(name)}/"


def test_matching_tables_are_in_the_menu_read_only() -> None:
    listed = {t._meta.tablename: (group, read_only) for t, group, read_only, _ in MENU}
    assert MATCHING_TABLES <= listed.keys()
    assert all(listed[name] == ("聚力计划", True) for name in MATCHING_TABLES)
    assert {"开启对接活动", "预览对接结果", "调整对接结果", "发布对接结果", "推荐案例", "发布或撤下案例"} <= {
        f.name for f in FORMS
    }


async def test_district_scope_and_no_raw_writes(admin_client: AdminFactory) -> None:
    changning_id, _ = await community(District.changning)
    xuhui_id, _ = await community(District.xuhui)
    ours = await demand(changning_id)
    theirs = await demand(xuhui_id)
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert {ours, theirs} <= await row_ids(city, "demand")
    assert await row_ids(changning, "demand") == {ours}
    assert (await changning.get(f"tables/demand/{theirs}/")).status_code == 404
    # Read-only: no raw status change, no insert.
    refused = await city.patch(f"tables/demand/{ours}/", {"status": "closed"})
    assert refused.status_code in (403, 405)
    assert (await Demand.select(Demand.status).where(Demand.id == ours).first() or {})["status"] == "published"
    # Tables without a district (pairs, members) are for city staff.
    assert (await changning.get("tables/session_pair/")).status_code == 403
    assert (await changning.get("tables/matching_tag/")).status_code == 200


async def test_case_forms_call_the_service(admin_client: AdminFactory) -> None:
    world = await cases.evaluated_order(District.changning)
    xuhui = await admin_client(Role.officer, District.xuhui)
    changning = await admin_client(Role.officer, District.changning)
    body = {
        "order_id": world["order_id"],
        "title": "银龄数字课堂",
        "summary": "志愿者每周辅导老人使用智能手机",
        "outcomes": "",
        "tags": "",
        "photo_ids": "",
    }
    outside = await xuhui.post(form("推荐案例"), body)
    assert outside.status_code == 422 and "不存在" in outside.json()["custom_form_error"]
    bad = await changning.post(form("推荐案例"), {**body, "photo_ids": "x"})
    assert bad.status_code == 422 and "照片编号" in bad.json()["custom_form_error"]
    unknown = await changning.post(form("推荐案例"), {**body, "tags": "nope"})
    assert unknown.status_code == 422 and "标签" in unknown.json()["custom_form_error"]
    done = await changning.post(form("推荐案例"), body)
    assert done.status_code == 200, done.text
    case = await MatchingCase.select().where(MatchingCase.order == world["order_id"]).first()
    assert case is not None and case["status"] == "draft" and case["beneficiaries"] == 42
    again = await changning.post(form("推荐案例"), body)
    assert again.status_code == 422 and "已推荐" in again.json()["custom_form_error"]

    no_reason = await changning.post(
        form("发布或撤下案例"), {"case_id": case["id"], "action": "withdraw", "reason": ""}
    )
    assert no_reason.status_code == 422
    published = await changning.post(form("发布或撤下案例"), {"case_id": case["id"], "action": "publish", "reason": ""})
    assert published.status_code == 200, published.text
    withdrawn = await changning.post(
        form("发布或撤下案例"), {"case_id": case["id"], "action": "withdraw", "reason": "信息更新"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    stored = await MatchingCase.select(MatchingCase.status, MatchingCase.withdrawn_reason).first()
    assert stored == {"status": "withdrawn", "withdrawn_reason": "信息更新"}
    assert await MatchOrder.count() == 1


async def test_session_forms_open_preview_adjust_publish(admin_client: AdminFactory) -> None:
    from programmes.matching.tables import MatchingSession, SessionPair
    from tests import factories
    from tests.factories.matching import offer

    await cases.tags("elderly")
    changning_id, _ = await community(District.changning)
    first = await demand(changning_id)
    second = await demand(changning_id)
    organisation_id, _ = await factories.organisation(District.changning)
    offer_id = await offer(organisation_id, capacity=1)
    officer = await admin_client(Role.officer, District.changning)
    xuhui = await admin_client(Role.officer, District.xuhui)
    opened = await officer.post(
        form("开启对接活动"),
        {"title": "长宁区对接会", "kind": "general", "district": "", "required_tags": "", "organisation_types": "",
         "unmatched_penalty": 10, "forbid_own_street_centre": False},
    )  # fmt: skip
    assert opened.status_code == 200, opened.text
    session = await MatchingSession.select(MatchingSession.id, MatchingSession.status).first()
    assert session is not None and session["status"] == "open"
    only = {"session_id": session["id"]}
    outside = await xuhui.post(form("预览对接结果"), only)
    assert outside.status_code == 422 and "不存在" in outside.json()["custom_form_error"]
    previewed = await officer.post(form("预览对接结果"), only)
    assert previewed.status_code == 200, previewed.text
    [pair] = await SessionPair.select(SessionPair.id, SessionPair.demand)
    assert pair["demand"] in (first, second)  # capacity 1: one of the two
    missing = await officer.post(form("调整对接结果"), {**only, "action": "remove"})
    assert missing.status_code == 422 and "配对编号" in missing.json()["custom_form_error"]
    removed = await officer.post(form("调整对接结果"), {**only, "action": "remove", "pair_id": pair["id"]})
    assert removed.status_code == 200, removed.text
    added = await officer.post(
        form("调整对接结果"), {**only, "action": "add", "demand_id": second, "offer_id": offer_id}
    )
    assert added.status_code == 200, added.text
    published = await officer.post(form("发布对接结果"), only)
    assert published.status_code == 200, published.text
    [order] = await MatchOrder.select(MatchOrder.demand, MatchOrder.status)
    assert order == {"demand": second, "status": "matched"}


async def test_the_purchase_form_calls_the_obligation_service(admin_client: AdminFactory) -> None:
    from programmes.ledger.tables import LedgerEntry
    from tests import factories
    from tests.factories.matching_money import purchasable_order

    city_user = await factories.user(Role.officer)
    organisation_id, _ = await factories.organisation(District.changning)
    purchase = await purchasable_order(city_user, organisation_id, line_fen=1_000_000)
    city = await admin_client(Role.officer)
    xuhui = await admin_client(Role.officer, District.xuhui)
    body = {"order_id": purchase.pair.order_id, "budget_line_id": purchase.line_id, "amount_fen": 600_000}
    outside = await xuhui.post(form("订单转为购买服务"), body)
    assert outside.status_code == 422 and "不存在" in outside.json()["custom_form_error"]
    over = await city.post(form("订单转为购买服务"), {**body, "amount_fen": 3_000_000})
    assert over.status_code == 422 and "预算范围" in over.json()["custom_form_error"]
    assert await LedgerEntry.count() == 0
    done = await city.post(form("订单转为购买服务"), body)
    assert done.status_code == 200, done.text
    stored = await MatchOrder.select(MatchOrder.amount_fen, MatchOrder.budget_line).first()
    assert stored == {"amount_fen": 600_000, "budget_line": purchase.line_id}
    again = await city.post(form("订单转为购买服务"), body)
    assert again.status_code == 422 and "重复" in again.json()["custom_form_error"]
    assert await LedgerEntry.count() == 1
