"""Review rounds over HTTP: experts with profiles, submitted applications, and a round with tied scores."""

from __future__ import annotations

from typing import Any

import httpx

from app.auth.tables import Role
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.applications import submitted
from tests.factories.http import ok

CANARY = "金丝雀测试公益服务社"


NO_TIME = ["criteria", "spread", "id"]  # without submitted_at equal scores tie: a shared rank


async def setup_round(
    client: httpx.AsyncClient, experts: int = 4, applications: int = 3, **options: Any
) -> dict[str, Any]:
    officer = await factories.user(Role.officer)
    pool = [await factories.user(Role.expert) for _ in range(experts)]
    for expert in pool:
        ok(
            await client.put(
                f"/experts/{expert.id}/profile",
                json={"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 5},
                headers=officer.headers,
            )
        )
    call = await factories.contest_round(officer, reviews_per_application=2, **options)
    apps = []
    for i in range(applications):
        org_id, member = await factories.organisation(name=CANARY if i == 0 else None)
        apps.append((org_id, member, await submitted(client, member, org_id, call["id"])))
    return {"officer": officer, "experts": pool, "round": call, "apps": apps}


async def tied_round(client: httpx.AsyncClient) -> dict[str, Any]:
    """Three applications; the first two score the same on every key, the third lower. Ranked: 1, 1, 3."""
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    world = await setup_round(client, experts=2, applications=3)
    officer, call = world["officer"], world["round"]
    changed = ok(await client.patch(f"/rounds/{call['id']}", json={"tie_break": NO_TIME}, headers=officer.headers))
    assert changed["tie_break"] == NO_TIME
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    low = world["apps"][2][2]["id"]
    for row in await ReviewAssignment.select():
        expert = next(e for e in world["experts"] if e.id == row["expert"])
        score = 60 if row["application"] == low else 80
        await submit_review(expert.principal, row["id"], ReviewDraft(scores={"innovation": score, "feasibility": 80}))
    await factories.end_round_window(call["id"])
    world["ranking"] = ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    world["tied"] = sorted(a[2]["id"] for a in world["apps"][:2])
    return world
