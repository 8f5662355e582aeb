"""The camp forms over the admin's HTTP API: same services, scope and rules as the API."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.camps.tables import Camp, CampSession
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

CREATE = form_path("创建训练营")
SESSION = form_path("添加训练营场次")
STEP = form_path("训练营流程操作")


async def test_camp_forms_follow_the_api_rules(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    body = {
        "title": "品牌塑造营",
        "kind": "brand",
        "audience": "any_registered",
        "capacity": 20,
        "district": "changning",
    }

    assert await refused(pudong, CREATE, body) == "只能为本区创建训练营"
    done = ok(await changning.post(CREATE, body))
    assert "已创建" in done["custom_form_success"]
    camp = await Camp.select(Camp.id, Camp.scope_district).first()
    assert camp is not None and camp["scope_district"] == "changning"
    session = {
        "camp_id": camp["id"],
        "title": "品牌定位",
        "session_date": "2026-12-20",
        "start_time": "14:00",
        "end_time": "13:00",
        "place": "301 室",
        "trainer": "李老师",
    }
    assert await refused(changning, SESSION, session) == "结束时间须晚于开始时间"
    assert await refused(pudong, SESSION, {**session, "end_time": "16:00"}) == "训练营不存在或无权访问"
    ok(await changning.post(SESSION, {**session, "end_time": "16:00"}))
    assert await CampSession.count() == 1
    ok(await changning.post(STEP, {"camp_id": camp["id"], "action": "开放报名"}))
    assert "原因" in await refused(changning, STEP, {"camp_id": camp["id"], "action": "取消训练营"})
    ok(await changning.post(STEP, {"camp_id": camp["id"], "action": "取消训练营", "reason": "场地取消"}))
    assert await Camp.select(Camp.status).first() == {"status": "cancelled"}
