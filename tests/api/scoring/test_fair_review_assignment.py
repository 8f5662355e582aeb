"""Issue 11, fair review: infeasible assignments explain themselves in errors[] and can be committed in part."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from scoring.tables import ReviewAssignment
from tests.factories.http import ok
from tests.factories.review import setup_round


async def _two_conflicts(client: httpx.AsyncClient, world: dict[str, object]) -> int:
    """Two of the three experts conflict with the first application's organisation: it can get only one of two."""
    officer, experts, apps = world["officer"], world["experts"], world["apps"]
    assert isinstance(experts, list) and isinstance(apps, list)
    org_id = apps[0][0]
    for expert in experts[:2]:
        ok(
            await client.post(
                "/conflicts",
                json={"expert_id": expert.id, "organisation_id": org_id, "reason": "曾任该组织理事"},
                headers=officer.headers,  # type: ignore[attr-defined]
            ),
            201,
        )
    return int(apps[0][2]["id"])


async def test_infeasible_answer_lists_each_shortfall_in_errors(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=2)
    blocked = await _two_conflicts(client, world)
    officer, call = world["officer"], world["round"]
    for path in ("assignment-preview", "assignments"):
        answer = await client.post(f"/rounds/{call['id']}/{path}", headers=officer.headers)
        assert answer.status_code == 409 and answer.json()["code"] == "assignment_infeasible"
        [error] = answer.json()["errors"]
        assert error["field"] == f"applications.{blocked}" and error["code"] == "too_few_eligible_experts"
        assert error["details"]["application_id"] == blocked
        assert (error["details"]["needed"], error["details"]["eligible"]) == (2, 1)
        assert "还需 2 位" in error["message"]
    assert await ReviewAssignment.count() == 0  # the refusal wrote nothing


async def test_partial_commit_staffs_what_it_can_and_lists_the_rest(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=2)
    blocked = await _two_conflicts(client, world)
    officer, call = world["officer"], world["round"]
    staffed = int(world["apps"][1][2]["id"])
    answer = ok(await client.post(f"/rounds/{call['id']}/assignments?partial=true", headers=officer.headers), 201)
    assert answer["partial"] is True
    assert {p["application_id"] for p in answer["pairs"]} == {staffed} and len(answer["pairs"]) == 2
    [rest] = answer["unstaffed"]
    assert rest["application_id"] == blocked and rest["code"] == "too_few_eligible_experts"
    assert (rest["needed"], rest["eligible"]) == (2, 1)
    rows = await ReviewAssignment.select(ReviewAssignment.application)
    assert {r["application"] for r in rows} == {staffed} and len(rows) == 2
    audit = await AuditEntry.select().where(AuditEntry.action == "round.assignment_partial").output(load_json=True)
    assert len(audit) == 1 and audit[0]["object_id"] == call["id"] and audit[0]["actor_id"] == officer.id
    assert audit[0]["after"]["unstaffed"][0]["application_id"] == blocked
    blocked_status = ok(await client.get(f"/applications/{blocked}", headers=officer.headers))["status"]
    assert blocked_status == "submitted"  # not moved to review without experts


async def test_partial_commit_when_everything_fits_is_a_plain_commit(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=3, applications=2)
    officer, call = world["officer"], world["round"]
    answer = ok(await client.post(f"/rounds/{call['id']}/assignments?partial=true", headers=officer.headers), 201)
    assert answer["unstaffed"] == [] and len(answer["pairs"]) == 4


async def test_concurrent_partial_commits_write_each_pair_once(client: httpx.AsyncClient) -> None:
    import asyncio

    world = await setup_round(client, experts=3, applications=2)
    blocked = await _two_conflicts(client, world)
    officer, call = world["officer"], world["round"]
    answers = await asyncio.gather(
        *[client.post(f"/rounds/{call['id']}/assignments?partial=true", headers=officer.headers) for _ in range(50)]
    )
    assert {a.status_code for a in answers} == {201}
    assert sum(len(a.json()["pairs"]) for a in answers) == 2  # the round lock: one commit writes, the rest find it done
    assert all(a.json()["unstaffed"][0]["application_id"] == blocked for a in answers)
    assert await ReviewAssignment.count() == 2
