"""The 聚力计划 demand moderation form over the admin's HTTP API: same service, scope and rules as the API."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.matching.tables import Demand
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.matching import community, demand

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

FORM = form_path("聚力计划需求审核")


async def status_of(demand_id: int) -> str:
    row = await Demand.select(Demand.status).where(Demand.id == demand_id).first()
    assert row is not None
    return str(row["status"])


async def test_moderation_form_follows_the_api_rules(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    community_id, _ = await community(District.changning)
    first = await demand(community_id, status="submitted")
    second = await demand(community_id, status="submitted")

    assert await refused(pudong, FORM, {"demand_id": first, "decision": "发布"}) == "需求不存在或无权访问"
    assert await refused(changning, FORM, {"demand_id": first, "decision": "不通过"}) == "不通过时须填写原因"
    done = ok(await changning.post(FORM, {"demand_id": first, "decision": "发布"}))
    assert "已发布" in done["custom_form_success"] and await status_of(first) == "published"
    assert "当前状态下不能执行此操作" in await refused(changning, FORM, {"demand_id": first, "decision": "发布"})
    ok(await changning.post(FORM, {"demand_id": second, "decision": "不通过", "reason": "请补充服务频次"}))
    assert await status_of(second) == "rejected"
