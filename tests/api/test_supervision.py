"""双随机、一公开 through the API: reproducible draws, conflicts excluded, public results."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from programmes.awards.schemas import AwardCreate
from programmes.awards.service import make_award
from tests import factories
from tests.api.conftest import World
from tests.api.test_money import budget_line, ranked_world
from tests.api.test_slice import ok


async def test_draws_are_reproducible_exclude_conflicts_and_are_public(client: httpx.AsyncClient, world: World) -> None:
    ids = await ranked_world(world, extra_applications=2)
    line_id = await budget_line(world, 10_000_000)
    for application_id in ids:
        await make_award(
            world.city_officer.principal,
            AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=1000),
        )
    inspector = await factories.user(Role.expert)
    # world.expert and world.other_expert exist too; record a conflict of world.other_expert with every organisation.
    from app.organisations.tables import Organisation

    for org in await Organisation.select(Organisation.id):
        await client.post(
            "/conflicts",
            json={"expert_id": world.other_expert.id, "organisation_id": org["id"], "reason": "测试回避"},
            headers=world.city_officer.headers,
        )
    path = f"/editions/{world.round['edition_id']}/inspection-draws"
    body = {"projects": 2, "inspectors_per_project": 2, "seed": "2026-双随机"}
    first = ok(await client.post(path, json=body, headers=world.city_officer.headers), 201)
    second = ok(await client.post(path, json=body, headers=world.city_officer.headers), 201)
    assert [p["award_id"] for p in first["projects"]] == [p["award_id"] for p in second["projects"]]
    assert [p["inspectors"] for p in first["projects"]] == [p["inspectors"] for p in second["projects"]]
    other_name = world.other_expert.principal.username
    assert all(other_name not in p["inspectors"] for p in first["projects"])
    assert len(first["candidate_awards"]) == 3 and inspector.id in first["candidate_inspectors"]

    recorded = ok(
        await client.post(
            f"/inspection-draws/{first['id']}/findings",
            json={"award_id": first["projects"][0]["award_id"], "finding": "资金使用规范，台账完整"},
            headers=world.city_officer.headers,
        )
    )
    assert recorded["projects"][0]["finding"] == "资金使用规范，台账完整"
    public = ok(await client.get("/inspection-draws"))
    assert any(d["seed"] == "2026-双随机" and d["projects"][0]["finding"] for d in public)
    outside = await client.post(path, json=body, headers=world.pudong_officer.headers)
    assert outside.status_code == 404
    too_many = await client.post(
        path, json={"projects": 9, "inspectors_per_project": 1}, headers=world.city_officer.headers
    )
    assert too_many.status_code == 409 and too_many.json()["code"] == "draw_impossible"
