"""The 区级推荐 admin forms over the admin's HTTP API: quotas and the forward (city), recommending and withdrawing
(the district) — the API's services, scope and rules."""

from __future__ import annotations

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.recommendations.tables import DistrictQuota, Recommendation, RecommendationClosure
from programmes.tables import Application
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.recommendation import build, end_window

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

QUOTA = form_path("设置区级推荐名额")
RECOMMEND = form_path("区级推荐申报")
WITHDRAW = form_path("撤回区级推荐")
FORWARD = form_path("区级推荐：推荐晋级下一阶段")


async def test_recommendation_forms_follow_the_api_rules(admin_client: AdminFactory, client: httpx.AsyncClient) -> None:
    stages = await build(client)
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    first, second = stages.changning_entries

    quota = {"round_id": stages.round_id, "district": "长宁区", "quota": 1}
    assert await refused(changning, QUOTA, quota) == "轮次不存在或无权访问"
    assert "取值不在允许范围内" in await refused(city, QUOTA, {**quota, "district": "火星区"})
    assert "已设为 1 个" in ok(await city.post(QUOTA, quota))["custom_form_success"]
    assert await DistrictQuota.count() == 1

    body = {"round_id": stages.round_id, "application_id": first, "reason": "社区基础扎实"}
    assert await refused(city, RECOMMEND, body) == "只有区级官员可以推荐本区申报"
    assert await refused(pudong, RECOMMEND, body) == "该轮次中没有本区的这个申报"
    assert "已推荐申报" in ok(await changning.post(RECOMMEND, body))["custom_form_success"]
    assert "名额已满" in await refused(changning, RECOMMEND, {**body, "application_id": second})

    made = await Recommendation.select(Recommendation.id).first()
    assert made is not None
    withdraw = {"recommendation_id": made["id"], "reason": "改推其他项目"}
    assert await refused(pudong, WITHDRAW, withdraw) == "区级推荐不存在或无权访问"
    assert "已撤回" in ok(await changning.post(WITHDRAW, withdraw))["custom_form_success"]
    ok(await changning.post(RECOMMEND, {**body, "application_id": second}))

    assert "截止后" in await refused(city, FORWARD, {"round_id": stages.round_id})
    await end_window(stages.round_id)
    assert await refused(changning, FORWARD, {"round_id": stages.round_id}) == "轮次不存在或无权访问"
    done = ok(await city.post(FORWARD, {"round_id": stages.round_id}))["custom_form_success"]
    assert done.startswith("已推荐晋级：1 个进入下一阶段")
    again = ok(await city.post(FORWARD, {"round_id": stages.round_id}))["custom_form_success"]
    assert "未重复处理" in again
    assert await RecommendationClosure.count() == 1
    assert await Application.count().where(Application.carried_from == second) == 1
