"""沪社星耀 for a selected organisation, read-only: GET /incubation/projects/mine lists the caller's organisations'
supported projects (nobody else's); the portal shows the list and one plan (goals, indicators, milestones with
their tranches and states in Chinese, mentors) as the API shows it; another organisation's project is the 404 page."""

from __future__ import annotations

import httpx
import pytest

from app.portal.errors import NOT_FOUND
from tests.factories.http import ok
from tests.factories.incubation import IncubationWorld, build, cohort_with_projects
from tests.factories.portal import signed_in
from tests.factories.world import World, world

__all__ = ["world"]  # the pytest fixture


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:  # noqa: F811 — the fixture above
    return await build(world)


async def test_the_api_lists_only_the_callers_projects(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    made = await cohort_with_projects(client, w)
    mine = ok(await client.get("/incubation/projects/mine", headers=w.world.applicant.headers))
    assert [p["id"] for p in mine] == [made["project_id"]]
    assert mine[0]["milestones"] and mine[0]["indicators"][0]["name"] == "服务人次"
    assert ok(await client.get("/incubation/projects/mine", headers=w.world.other_applicant.headers)) == []
    assert (await client.get("/incubation/projects/mine", headers=w.world.changning_officer.headers)).status_code == 403


async def test_the_plan_page_shows_milestones_tranches_and_indicators_in_chinese(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    made = await cohort_with_projects(client, w)
    await signed_in(client, w.world.applicant.principal.username)
    home = await client.get("/portal/")
    assert 'href="/portal/support-plans"' in home.text
    listed = await client.get("/portal/support-plans")
    assert listed.status_code == 200
    assert f'href="/portal/support-plans/{made["project_id"]}"' in listed.text
    assert "扶持中" in listed.text and "已验收 0 / 2" in listed.text and "有逾期" in listed.text

    page = await client.get(f"/portal/support-plans/{made['project_id']}")
    assert page.status_code == 200
    assert "为独居老人助餐" in page.text and "服务人次" in page.text and "目标 1200.0 人次" in page.text
    assert "第 1 次中期报告" in page.text and "已逾期" in page.text and "结项报告" in page.text
    assert "4,000.00 元（待满足拨付条件）" in page.text and "待提交" in page.text
    assert "尚未分配导师" in page.text
    assert "milestone" not in page.text and "planned" not in page.text  # no English state code on the page

    other = await client.get(f"/portal/support-plans/{made['selected_project_id']}")
    assert other.status_code == 404 and NOT_FOUND in other.text and "楼组自治议事" not in other.text
