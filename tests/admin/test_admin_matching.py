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
    assert {"推荐案例", "发布或撤下案例"} <= {f.name for f in FORMS}


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
