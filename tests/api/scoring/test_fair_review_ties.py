"""Issue 11, fair review: the tie-break rule is a round setting, and ties at a cut line wait for an officer."""

from __future__ import annotations

import asyncio

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from scoring.tables import CutLineDecision, Publication, ReviewAssignment
from tests import factories
from tests.factories.http import ok
from tests.factories.review import NO_TIME, setup_round
from tests.factories.review import tied_round as _tied_round


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


async def test_a_direct_advance_past_a_tied_track_line_waits_for_the_decision(client: httpx.AsyncClient) -> None:
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft
    from tests.factories.applications import act, submitted

    officer = await factories.user(Role.officer)
    experts = [await factories.user(Role.expert) for _ in range(2)]
    for expert in experts:
        profile = {"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 5}
        ok(await client.put(f"/experts/{expert.id}/profile", json=profile, headers=officer.headers))
    call = await factories.contest_round(officer, reviews_per_application=2, tracks=[{"name": "为老服务", "quota": 1}])
    ok(await client.patch(f"/rounds/{call['id']}", json={"tie_break": NO_TIME}, headers=officer.headers))
    track_id = call["tracks"][0]["id"]
    apps = []
    for _ in range(2):
        org_id, member = await factories.organisation()
        apps.append((await submitted(client, member, org_id, call["id"], track_id=track_id))["id"])
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    for row in await ReviewAssignment.select():
        expert = next(e for e in experts if e.id == row["expert"])
        await submit_review(expert.principal, row["id"], ReviewDraft(scores={"innovation": 80, "feasibility": 80}))
    await factories.end_round_window(call["id"])
    ranking = ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    assert [r["cut_line_tie"] for r in ranking] == [f"track:{track_id}"] * 2
    assert [r["cut_line_decided"] for r in ranking] == [False, False]
    [refused] = await act(client, officer, "advance", [apps[0]])
    assert refused["ok"] is False and refused["code"] == "cut_line_tie_undecided"
    decision = {"line": f"track:{track_id}", "rank": 1, "passed_application_ids": [apps[1]], "reason": "现场答辩更优"}
    ok(await client.post(f"/rounds/{call['id']}/cut-line-decisions", json=decision, headers=officer.headers), 201)
    [not_passed] = await act(client, officer, "advance", [apps[0]])
    assert not_passed["ok"] is False and not_passed["code"] == "cut_line_not_passed"
    [passed] = await act(client, officer, "advance", [apps[1]])
    assert passed["ok"] is True and passed["status"] == "advanced"
    again = ok(await client.get(f"/rounds/{call['id']}/ranking", headers=officer.headers))
    assert [r["cut_line_decided"] for r in again] == [True, True]
