"""Assigning experts under concurrency (issue 10): no spurious 409 when several officers assign at once, no duplicate
pair, and never an expert assigned to an application after it was rejected."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from programmes.tables import Application
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories import User
from tests.factories.applications import submitted
from tests.factories.review import setup_round


async def submitted_applications(client: httpx.AsyncClient, officer: User, count: int) -> list[int]:
    call = await factories.contest_round(officer, allow_multiple_entries=True)
    org_id, member = await factories.organisation()
    return [(await submitted(client, member, org_id, call["id"]))["id"] for _ in range(count)]


def assign_request(client: httpx.AsyncClient, officer: User, application_id: int, expert_id: int) -> Any:
    body = {"application_id": application_id, "expert_id": expert_id}
    return client.post("/assignments", json=body, headers=officer.headers)


async def test_concurrent_assigns_each_pair_once_without_spurious_conflicts(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    applications = await submitted_applications(client, officer, 5)
    experts = [await factories.user(Role.expert) for _ in range(10)]
    pairs = [(a, e.id) for a in applications for e in experts]  # 50 distinct pairs
    sends = pairs + random.Random(10).sample(pairs, 10)  # and 10 of them twice: 60 concurrent requests
    random.Random(11).shuffle(sends)

    responses = await asyncio.gather(*[assign_request(client, officer, a, e) for a, e in sends])

    created = Counter(pair for pair, r in zip(sends, responses, strict=True) if r.status_code == 201)
    assert created == Counter(pairs)  # every distinct pair exactly once, none refused by a stale status
    refused = [r for r in responses if r.status_code != 201]
    assert len(refused) == 10
    assert {(r.status_code, r.json()["code"]) for r in refused} == {(409, "already_assigned")}
    rows = await ReviewAssignment.select(ReviewAssignment.application, ReviewAssignment.expert)
    assert sorted((r["application"], r["expert"]) for r in rows) == sorted(pairs)
    statuses = await Application.select(Application.status).where(Application.id.is_in(applications))
    assert {s["status"] for s in statuses} == {"in_review"}
    assert await AuditEntry.count().where(AuditEntry.action == "contest_application.start_review") == 5
    assert await AuditEntry.count().where(AuditEntry.action == "review_assignment.create") == len(pairs)


async def test_assigns_racing_a_reject_never_assign_a_rejected_application(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    applications = await submitted_applications(client, officer, 10)
    first, *experts = [await factories.user(Role.expert) for _ in range(6)]
    for application_id in applications:  # already in review: every racing assign passes the old unlocked check
        assert (await assign_request(client, officer, application_id, first.id)).status_code == 201
    reject = {"action": "reject", "reason": "不符合申报条件"}
    sends: list[tuple[str, int, int | None]] = [("reject", a, None) for a in applications]
    sends += [("assign", a, e.id) for a in applications for e in experts]  # 10 rejects + 50 assigns
    random.Random(12).shuffle(sends)

    def send(kind: str, application_id: int, expert_id: int | None) -> Any:
        if kind == "reject":
            body = {**reject, "application_ids": [application_id]}
            return client.post("/applications/actions", json=body, headers=officer.headers)
        assert expert_id is not None
        return assign_request(client, officer, application_id, expert_id)

    responses = await asyncio.gather(*[send(*s) for s in sends])

    assert all(r.status_code in (200, 201, 409) for r in responses), [r.text for r in responses if r.status_code >= 500]
    rejected = [r.json()[0] for (kind, _, _), r in zip(sends, responses, strict=True) if kind == "reject"]
    assert all(result["ok"] for result in rejected), rejected  # reject is allowed from submitted and in_review
    assigns = [r for (kind, _, _), r in zip(sends, responses, strict=True) if kind == "assign"]
    assert await ReviewAssignment.count() == len(applications) + sum(r.status_code == 201 for r in assigns)
    # An assignment may predate the rejection (the reject then closes the matter), never follow it: in the audit
    # log, which is written under the same row lock, every assignment of an application comes before its reject.
    log = (
        await AuditEntry.select(AuditEntry.id, AuditEntry.action, AuditEntry.object_id, AuditEntry.after)
        .where(AuditEntry.action.is_in(["review_assignment.create", "contest_application.reject"]))
        .output(load_json=True)
    )
    rejected_at = {e["object_id"]: e["id"] for e in log if e["action"] == "contest_application.reject"}
    assert sorted(rejected_at) == sorted(applications)
    late = [
        e
        for e in log
        if e["action"] == "review_assignment.create" and e["id"] > rejected_at[e["after"]["application_id"]]
    ]
    assert late == [], f"{len(late)} assignments written after their application was rejected"
    # Refused assigns name the reason: the application is no longer reviewable (not a stale-status conflict).
    assert {r.json()["code"] for r in assigns if r.status_code == 409} <= {"application_not_reviewable"}


async def test_concurrent_solver_commits_write_each_pair_once(client: httpx.AsyncClient) -> None:
    world = await setup_round(client, experts=4, applications=3)
    officer, call = world["officer"], world["round"]

    responses = await asyncio.gather(
        *[client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers) for _ in range(50)]
    )

    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses if r.status_code != 201][:2]
    written = [p for r in responses for p in r.json()["pairs"]]
    assert len(written) == 3 * 2  # k = 2 reviews for each of 3 applications, written by whichever commit came first
    assert await ReviewAssignment.count() == 3 * 2
    assert await AuditEntry.count().where(AuditEntry.action == "review_assignment.create") == 3 * 2


async def test_draft_saves_racing_review_submits_never_change_submitted_scores(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    [application_id] = await submitted_applications(client, officer, 1)
    experts = [await factories.user(Role.expert) for _ in range(10)]
    assignments = {}
    for expert in experts:
        response = await assign_request(client, officer, application_id, expert.id)
        assert response.status_code == 201, response.text
        assignments[response.json()["id"]] = expert
    final = {"innovation": 80, "feasibility": 70}
    sends = [("submit", a, final) for a in assignments]
    sends += [("draft", a, {"innovation": 10 + n, "feasibility": 20}) for a in assignments for n in range(5)]
    random.Random(14).shuffle(sends)  # 10 submits + 50 draft saves

    def send(kind: str, assignment_id: int, scores: dict[str, int]) -> Any:
        headers = assignments[assignment_id].headers
        body = {"scores": scores, "comment": "评语"}
        if kind == "submit":
            return client.post(f"/reviews/{assignment_id}/submit", json=body, headers=headers)
        return client.put(f"/reviews/{assignment_id}/draft", json=body, headers=headers)

    responses = await asyncio.gather(*[send(*s) for s in sends])

    assert all(r.status_code == 200 for (kind, _, _), r in zip(sends, responses, strict=True) if kind == "submit")
    drafts = [r for (kind, _, _), r in zip(sends, responses, strict=True) if kind == "draft"]
    assert {r.json()["code"] for r in drafts if r.status_code != 200} <= {"review_not_editable"}
    rows = await ReviewAssignment.select(ReviewAssignment.status, ReviewAssignment.scores).output(load_json=True)
    assert len(rows) == len(experts)
    assert {r["status"] for r in rows} == {"submitted"}
    changed = [r for r in rows if r["scores"] != final]
    assert changed == [], f"{len(changed)} submitted reviews had their scores changed afterwards"


async def test_a_hand_made_assignment_is_due_like_the_solvers(client: httpx.AsyncClient) -> None:
    """Regression: a manual assignment had no due date, so it never showed as overdue and was never reminded."""
    from datetime import timedelta

    from scoring.assignments.service import REVIEW_DAYS

    officer = await factories.user(Role.officer)
    [application_id] = await submitted_applications(client, officer, 1)
    expert = await factories.user(Role.expert)
    made = await assign_request(client, officer, application_id, expert.id)
    assert made.status_code == 201, made.text
    row = await ReviewAssignment.select(ReviewAssignment.due_at).where(ReviewAssignment.id == made.json()["id"]).first()
    closes = await Application.select(Application.round.closes_at).where(Application.id == application_id).first()
    assert row is not None and row["due_at"] is not None and closes is not None
    assert row["due_at"] >= closes["round.closes_at"] + timedelta(days=REVIEW_DAYS)
