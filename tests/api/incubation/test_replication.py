"""复制推广: only graduated 优秀/合格 projects; another organisation in another district or street; an officer
approves the plan; lineage origin → replications → their replications; counts and beneficiaries per district; a
public page per replicated practice; scope and bad input."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.organisations.tables import Organisation
from programmes.incubation.tables import Replication
from tests import factories
from tests.factories.graduation import graduate
from tests.factories.http import ok, problem
from tests.factories.incubation import IncubationWorld, build, cohort_with_projects
from tests.factories.world import World

BASE = "/incubation"


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:
    return await build(world)


async def _graduated(client: httpx.AsyncClient, w: IncubationWorld, outcome: str = "passed") -> int:
    return await graduate(client, w, outcome)


def _plan(origin: int | None, organisation_id: int, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "organisation_id": organisation_id,
        "title": "社区助餐（浦东复制点）",
        "district": "pudong",
        "street": "陆家嘴街道",
        "beneficiaries": 300,
        "origin_as_adviser": True,
    }
    if origin is not None:
        body["origin_project_id"] = origin
    return {**body, **extra}


async def test_a_graduated_practice_is_replicated_twice_down_its_lineage(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    origin = await _graduated(client, w)
    problem(await client.get(f"{BASE}/practices/{origin}"), 404, "not_found")  # not replicated yet
    first = ok(
        await client.post(f"{BASE}/replications", json=_plan(origin, w.world.other_org_id), headers=officer), 201
    )
    assert first["status"] == "proposed" and first["adviser_organisation_id"] == w.world.org_id
    ok(await client.post(f"{BASE}/replications/{first['id']}/approve", headers=officer))
    third_org, _ = await factories.organisation()
    second = ok(
        await client.post(
            f"{BASE}/replications",
            json=_plan(
                None, third_org, parent_id=first["id"], district="xuhui", street="徐家汇街道", beneficiaries=120
            ),
            headers=officer,
        ),
        201,
    )
    ok(await client.post(f"{BASE}/replications/{second['id']}/approve", headers=officer))
    lineage = ok(await client.get(f"{BASE}/projects/{origin}/lineage", headers=officer))
    [node] = lineage["replications"]
    assert node["replication"]["id"] == first["id"] and node["children"][0]["replication"]["id"] == second["id"]
    assert lineage["per_district"] == [
        {"district": "pudong", "replications": 1, "beneficiaries": 300},
        {"district": "xuhui", "replications": 1, "beneficiaries": 120},
    ]
    page = ok(await client.get(f"{BASE}/practices/{origin}"))
    assert page["replications"] == 2 and page["beneficiaries"] == 420 and page["outcome_zh"] == "结项：合格"
    assert "amount_fen" not in page
    ok(await client.get(f"{BASE}/replications/{first['id']}", headers=w.world.other_applicant.headers))
    problem(await client.get(f"{BASE}/replications/{first['id']}", headers=w.world.applicant.headers), 404, "not_found")
    problem(
        await client.get(f"{BASE}/projects/{origin}/lineage", headers=w.world.pudong_officer.headers), 404, "not_found"
    )
    assert (await client.get(f"{BASE}/replications", headers=officer)).headers["X-Total-Count"] == "2"
    assert ok(await client.get(f"{BASE}/replications", headers=w.world.pudong_officer.headers)) == []


async def test_only_graduated_excellent_or_passed_projects_replicate(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    refused = problem(
        await client.post(
            f"{BASE}/replications", json=_plan(made["project_id"], w.world.other_org_id), headers=officer
        ),
        422,
        "origin_not_graduated",
    )
    assert refused["errors"][0]["field"] == "origin_project_id" and "优秀或合格" in refused["detail"]
    await graduate(client, w, "failed", made["project_id"])
    problem(
        await client.post(
            f"{BASE}/replications", json=_plan(made["project_id"], w.world.other_org_id), headers=officer
        ),
        422,
        "origin_not_graduated",
    )


async def test_bad_replications_and_rejection(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    origin = await _graduated(client, w, "excellent")
    same_org = problem(
        await client.post(f"{BASE}/replications", json=_plan(origin, w.world.org_id), headers=officer),
        422,
        "replication_same_organisation",
    )
    assert same_org["errors"][0]["field"] == "organisation_id"
    neighbour, _ = await factories.organisation()
    place = "江苏路街道"
    await Organisation.update({Organisation.street: place}).where(Organisation.id == w.world.org_id)
    same_place = problem(
        await client.post(
            f"{BASE}/replications", json=_plan(origin, neighbour, district="changning", street=place), headers=officer
        ),
        422,
        "replication_same_place",
    )
    assert same_place["errors"][0]["field"] == "street"
    both = problem(
        await client.post(f"{BASE}/replications", json=_plan(origin, neighbour, parent_id=1), headers=officer),
        422,
        "replication_source_required",
    )
    assert both["errors"][0]["field"] == "origin_project_id"
    bad_district = problem(
        await client.post(f"{BASE}/replications", json=_plan(origin, neighbour, district="atlantis"), headers=officer),
        422,
        "validation_failed",
    )
    assert bad_district["errors"][0]["field"] == "district"
    problem(
        await client.post(
            f"{BASE}/replications", json=_plan(origin, neighbour), headers=w.world.pudong_officer.headers
        ),
        404,
        "not_found",
    )
    made = ok(await client.post(f"{BASE}/replications", json=_plan(origin, neighbour), headers=officer), 201)
    no_reason = problem(
        await client.post(f"{BASE}/replications/{made['id']}/reject", json={"reason": ""}, headers=officer),
        422,
        "validation_failed",
    )
    assert no_reason["errors"][0]["field"] == "reason"
    rejected = ok(
        await client.post(f"{BASE}/replications/{made['id']}/reject", json={"reason": "方案不完整"}, headers=officer)
    )
    assert rejected["status"] == "rejected" and rejected["reason"] == "方案不完整"
    problem(
        await client.post(
            f"{BASE}/replications",
            json=_plan(None, neighbour, parent_id=made["id"], street="花木街道"),
            headers=officer,
        ),
        422,
        "replication_source_not_approved",
    )


async def test_fifty_concurrent_proposals_make_one_live_replication(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    origin = await _graduated(client, w)
    answers = await asyncio.gather(
        *(
            client.post(f"{BASE}/replications", json=_plan(origin, w.world.other_org_id), headers=officer)
            for _ in range(50)
        )
    )
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, sorted(codes)
    assert await Replication.count().where(Replication.origin == origin) == 1
