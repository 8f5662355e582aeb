"""The stage admin forms (设置轮次阶段与顺序, 晋级下一阶段, 裁定晋级线并列) over the admin's HTTP API: the API's
services, scope and rules."""

from __future__ import annotations

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application, Round
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.stages import review_and_close, staged_edition

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

ORDER = form_path("设置轮次阶段与顺序")
ADVANCE = form_path("晋级下一阶段（预览或确认）")
TIE = form_path("裁定晋级线并列")


async def test_stage_forms_follow_the_api_rules(client: httpx.AsyncClient, admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    stages = await staged_edition(client, [District.pudong, District.pudong, District.xuhui])
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi, final = (r["id"] for r in stages.rounds)

    assert "不存在或无权访问" in await refused(pudong, ORDER, {"round_id": final, "stage": "custom", "position": 4})
    assert "每届只能有一个决赛" in await refused(city, ORDER, {"round_id": semi, "stage": "final", "position": 2})
    assert "已有申报" in await refused(city, ORDER, {"round_id": prelim, "stage": "preliminary", "position": 9})
    done = ok(await city.post(ORDER, {"round_id": final, "stage": "final", "position": 4, "reason": "留出区级推荐"}))
    assert "顺序 4" in done["custom_form_success"]
    assert (await Round.select(Round.position).where(Round.id == final).first() or {})["position"] == 4

    body = {"round_id": prelim, "district_quotas": "pudong=1", "step": "预览"}
    assert "轮次关闭并完成排名后" in await refused(city, ADVANCE, body)
    await review_and_close(client, stages, prelim, {first: 90, second: 80, third: 70})
    assert "无法识别的区名额" in await refused(city, ADVANCE, {**body, "district_quotas": "pudong"})
    assert "不存在或无权访问" in await refused(pudong, ADVANCE, body)
    preview = ok(await city.post(ADVANCE, body))["custom_form_success"]
    assert f"晋级 {first}、{third}" in preview and await Application.count().where(Application.round == semi) == 0
    committed = ok(await city.post(ADVANCE, {**body, "step": "确认晋级"}))["custom_form_success"]
    assert "本次晋级 2 个、未晋级 1 个" in committed and "带入「复赛」2 个" in committed
    assert await Application.count().where(Application.round == semi) == 2

    tie = {"round_id": prelim, "line": "overall", "rank": 1, "passed_application_ids": str(first), "reason": "不存在"}
    assert "没有这一名次的并列" in await refused(city, TIE, tie)
