"""Issue 11, fair review: the tie-break rule is a round setting, and ties at a cut line wait for an officer."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.audit import AuditEntry
from scoring.tables import CutLineDecision, Publication, ReviewAssignment
from tests import factories
from tests.api.test_review import setup_round
from tests.api.test_slice import ok

NO_TIME = ["criteria", "spread", "id"]  # without submitted_at equal scores tie: a shared rank


async def _tied_round(client: httpx.AsyncClient) -> dict[str, Any]:
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


async def test_tie_break_setting_is_validated_and_locked_once_ranked(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=2, applications=1)
    officer, call = world["officer"], world["round"]
    assert call["tie_break"] == ["criteria", "spread", "submitted_at", "id"]  # the documented default
    for bad in (["bogus"], ["id", "spread"], ["criterion:nope"], ["spread", "spread"]):
        refused = await client.patch(f"/rounds/{call['id']}", json={"tie_break": bad}, headers=officer.headers)
        assert refused.status_code == 422, bad
        assert refused.json()["code"] == "tie_break_invalid" and refused.json()["errors"][0]["field"] == "tie_break"
    one = ["criterion:feasibility", "submitted_at"]
    assert (
        ok(await client.patch(f"/rounds/{call['id']}", json={"tie_break": one}, headers=officer.headers))["tie_break"]
        == one
    )
    audit = await AuditEntry.select().where(AuditEntry.action == "round.update_settings").output(load_json=True)
    assert audit[-1]["after"]["tie_break"] == one
    await factories.end_round_window(call["id"])
    ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    locked = await client.patch(f"/rounds/{call['id']}", json={"tie_break": NO_TIME}, headers=officer.headers)
    assert locked.status_code == 409 and locked.json()["code"] == "round_closed"


async def test_a_tie_at_the_cut_line_needs_an_officers_decision(client: httpx.AsyncClient) -> None:
    world = await _tied_round(client)
    officer, call, tied = world["officer"], world["round"], world["tied"]
    assert [r["rank"] for r in world["ranking"]] == [1, 1, 3]
    refused = await client.post(
        f"/rounds/{call['id']}/publication", json={"days": 7, "top_n": 1}, headers=officer.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "cut_line_tie_undecided"
    assert sorted(e["details"]["application_id"] for e in refused.json()["errors"]) == tied
    assert await Publication.count() == 0
    [tie] = ok(await client.get(f"/rounds/{call['id']}/cut-line-ties?top_n=1", headers=officer.headers))
    assert tie == {
        "line": "overall",
        "rank": 1,
        "places": 1,
        "tied_application_ids": tied,
        "decided": False,
        "passed_application_ids": None,
    }
    path = f"/rounds/{call['id']}/cut-line-decisions"
    decision = {"line": "overall", "rank": 1, "top_n": 1, "reason": "实地走访得分更高"}
    for wrong in (tied, [world["apps"][2][2]["id"]]):
        bad = await client.post(path, json={**decision, "passed_application_ids": wrong}, headers=officer.headers)
        assert bad.status_code == 422 and bad.json()["code"] == "cut_line_decision_invalid"
    no_tie = await client.post(
        path, json={**decision, "rank": 3, "passed_application_ids": [tied[0]]}, headers=officer.headers
    )
    assert no_tie.status_code == 422 and no_tie.json()["code"] == "cut_line_tie_not_found"
    decided = ok(
        await client.post(path, json={**decision, "passed_application_ids": [tied[1]]}, headers=officer.headers), 201
    )
    assert decided["decided"] is True and decided["passed_application_ids"] == [tied[1]]
    audit = await AuditEntry.select().where(AuditEntry.action == "round.cut_line_decision").output(load_json=True)
    assert len(audit) == 1 and audit[0]["reason"] == "实地走访得分更高" and audit[0]["after"]["passed"] == [tied[1]]
    published = ok(
        await client.post(f"/rounds/{call['id']}/publication", json={"days": 7, "top_n": 1}, headers=officer.headers),
        201,
    )
    assert [e["application_id"] for e in published["entries"]] == [tied[1]]  # the officer's pick, not the lower id


async def test_ties_inside_the_quota_need_no_decision(client: httpx.AsyncClient) -> None:
    world = await _tied_round(client)
    officer, call = world["officer"], world["round"]
    assert ok(await client.get(f"/rounds/{call['id']}/cut-line-ties?top_n=2", headers=officer.headers)) == []
    published = ok(
        await client.post(f"/rounds/{call['id']}/publication", json={"days": 7, "top_n": 2}, headers=officer.headers),
        201,
    )
    assert sorted(e["application_id"] for e in published["entries"]) == world["tied"]


async def test_concurrent_decisions_of_one_tie_record_one(client: httpx.AsyncClient) -> None:
    world = await _tied_round(client)
    officer, call, tied = world["officer"], world["round"], world["tied"]
    body = {"line": "overall", "rank": 1, "top_n": 1, "reason": "实地走访得分更高"}
    answers = await asyncio.gather(
        *[
            client.post(
                f"/rounds/{call['id']}/cut-line-decisions",
                json={**body, "passed_application_ids": [tied[i % 2]]},
                headers=officer.headers,
            )
            for i in range(50)
        ]
    )
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 1 and set(codes) == {201, 409}, codes
    assert await CutLineDecision.count() == 1
    assert await AuditEntry.count().where(AuditEntry.action == "round.cut_line_decision") == 1
