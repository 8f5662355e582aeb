"""Issue 11, fair review: a conflict found after assignment retracts the assignment, drops a submitted review from
the ranking, reassigns, and says so in the audit log; experts declare conflicts in advance."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.audit import AuditEntry
from scoring.tables import ConflictOfInterest, RankingEntry, ReviewAssignment
from tests import factories
from tests.factories.http import ok
from tests.factories.review import setup_round


async def _commit(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ok(await client.post(f"/rounds/{world['round']['id']}/assignments", headers=world["officer"].headers), 201)


async def _score_all(world: dict[str, Any]) -> None:
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    for row in await ReviewAssignment.select().where(ReviewAssignment.status == "assigned"):
        expert = next(e for e in world["experts"] if e.id == row["expert"])
        await submit_review(expert.principal, row["id"], ReviewDraft(scores={"innovation": 90, "feasibility": 90}))


async def _record(client: httpx.AsyncClient, world: dict[str, Any], expert_id: int, org_id: int) -> dict[str, Any]:
    body = {"expert_id": expert_id, "organisation_id": org_id, "reason": "事后发现曾任该组织理事"}
    return ok(await client.post("/conflicts", json=body, headers=world["officer"].headers), 201)


async def test_conflict_after_assignment_retracts_and_reassigns(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=1)
    await _commit(client, world)
    org_id, _, application = world["apps"][0]
    victim = await ReviewAssignment.select().first()
    assert victim is not None
    recorded = await _record(client, world, victim["expert"], org_id)
    assert recorded["retracted_assignment_ids"] == [victim["id"]] and recorded["replacements"] == 1
    rows = await ReviewAssignment.select().where(ReviewAssignment.application == application["id"])
    status = {r["expert"]: r["status"] for r in rows}
    assert status[victim["expert"]] == "retracted" and list(status.values()).count("assigned") == 2
    actions = {a["action"] for a in await AuditEntry.select(AuditEntry.action)}
    assert {"review_assignment.retract_conflict", "conflict.retract_assignments", "conflict.reassign"} <= actions
    expert = next(e for e in world["experts"] if e.id == victim["expert"])
    gone = await client.get(f"/reviews/{victim['id']}", headers=expert.headers)
    assert gone.status_code == 200 and gone.json()["status"] == "retracted"
    refused = await client.post(
        f"/reviews/{victim['id']}/submit", json={"scores": {"innovation": 1, "feasibility": 1}}, headers=expert.headers
    )
    assert refused.status_code == 409  # a retracted assignment can no longer be scored


async def test_submitted_review_of_a_conflicted_expert_leaves_the_ranking(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=1)
    await _commit(client, world)
    await _score_all(world)
    org_id, _, application = world["apps"][0]
    victim = await ReviewAssignment.select().first()
    assert victim is not None
    recorded = await _record(client, world, victim["expert"], org_id)
    assert recorded["excluded_review_ids"] == [victim["id"]]
    await factories.end_round_window(world["round"]["id"])
    ranking = ok(await client.post(f"/rounds/{world['round']['id']}/close", headers=world["officer"].headers))
    [entry] = ranking
    assert entry["application_id"] == application["id"] and entry["review_count"] == 1
    assert "too_few_reviews" in entry["flags"]


async def test_conflict_after_ranking_ranks_the_round_again(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=2)
    await _commit(client, world)
    await _score_all(world)
    await factories.end_round_window(world["round"]["id"])
    ranking = ok(await client.post(f"/rounds/{world['round']['id']}/close", headers=world["officer"].headers))
    assert [r["review_count"] for r in ranking] == [2, 2]
    org_id, _, application = world["apps"][0]
    victim = await ReviewAssignment.select().where(ReviewAssignment.application == application["id"]).first()
    assert victim is not None
    await _record(client, world, victim["expert"], org_id)
    entry = await RankingEntry.select().where(RankingEntry.application == application["id"]).first()
    assert entry is not None and entry["review_count"] == 1  # ranked again without the review
    assert await RankingEntry.count() == 2


async def test_experts_declare_conflicts_in_advance(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=1)
    org_id, _, application = world["apps"][0]
    expert = world["experts"][0]
    body = {"organisation_id": org_id, "reason": "本人是该组织的志愿者顾问"}
    declared = ok(await client.post("/conflicts/mine", json=body, headers=expert.headers), 201)
    assert declared["source"] == "declared" and declared["expert_id"] == expert.id
    assert [c["id"] for c in ok(await client.get("/conflicts/mine", headers=expert.headers))] == [declared["id"]]
    officer_only = await client.post("/conflicts/mine", json=body, headers=world["officer"].headers)
    assert officer_only.status_code == 403
    await _commit(client, world)
    assigned = {r["expert"] for r in await ReviewAssignment.select(ReviewAssignment.expert)}
    assert expert.id not in assigned and len(assigned) == 2
    manual = await client.post(
        "/assignments",
        json={"application_id": application["id"], "expert_id": expert.id},
        headers=world["officer"].headers,
    )
    assert manual.status_code == 409 and manual.json()["code"] == "conflict_of_interest"
    missing = await client.post("/conflicts/mine", json={**body, "organisation_id": 999999}, headers=expert.headers)
    assert missing.status_code == 422


async def test_concurrent_declarations_record_one_conflict(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=1)
    await _commit(client, world)
    org_id = world["apps"][0][0]
    victim = await ReviewAssignment.select().first()
    assert victim is not None
    expert = next(e for e in world["experts"] if e.id == victim["expert"])
    body = {"organisation_id": org_id, "reason": "本人是该组织的志愿者顾问"}
    answers = await asyncio.gather(
        *[client.post("/conflicts/mine", json=body, headers=expert.headers) for _ in range(50)]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) == {201, 409}, codes
    assert await ConflictOfInterest.count() == 1
    retracts = await AuditEntry.count().where(AuditEntry.action == "review_assignment.retract_conflict")
    assert retracts == 1
    live = await ReviewAssignment.count().where(ReviewAssignment.status == "assigned")
    assert live == 2  # refilled once, not fifty times
