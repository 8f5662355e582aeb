"""Committing a stage advance is idempotent under concurrency: 50 concurrent commits (and bulk advances racing them)
create each carried entry once, with its files once, and move every entry once."""

from __future__ import annotations

import asyncio

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from app.notifications.tables import Notification
from app.reference import District
from programmes.attachments.tables import Attachment
from programmes.tables import Application, Round
from tests import factories
from tests.factories.applications import stored_files
from tests.factories.http import ok
from tests.factories.stages import http_edition, quota, review_and_close, round_body, staged_edition


async def test_fifty_concurrent_commits_carry_each_entry_once(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong, District.xuhui, District.changning])
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    await review_and_close(client, stages, prelim, {first: 90, second: 80, third: 70})
    files_before = len(stored_files())
    body = quota(top_n=2)
    url = f"/rounds/{prelim}/stage-advance"
    bulk = {"action": "advance", "application_ids": [first]}

    responses = await asyncio.gather(
        *[client.post(url, json=body, headers=stages.officer.headers) for _ in range(50)],
        *[client.post("/applications/actions", json=bulk, headers=stages.officer.headers) for _ in range(5)],
    )

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    carried = await Application.select(Application.id, Application.carried_from).where(Application.round == semi)
    assert sorted(r["carried_from"] for r in carried) == sorted([first, second])
    assert await Attachment.count().where(Attachment.application.is_in([r["id"] for r in carried])) == 2
    # Copies made by the commits that lost the race were removed: two new files on disk, no more.
    assert len(stored_files()) == files_before + 2
    statuses = {r["id"]: r["status"] for r in await Application.select().where(Application.round == prelim)}
    assert statuses == {first: "advanced", second: "advanced", third: "not_advanced"}
    moves = await AuditEntry.select(AuditEntry.action, AuditEntry.object_id).where(
        AuditEntry.action.is_in(["contest_application.advance", "contest_application.not_advance"])
    )
    assert sorted(m["object_id"] for m in moves) == sorted([first, second, third])  # each moved once
    advanced_notes = await Notification.count().where(Notification.kind == "stage_advanced")
    assert advanced_notes == 2  # one member per organisation, one notice per advanced entry


async def test_fifty_concurrent_patches_to_final_leave_one_final(client: httpx.AsyncClient) -> None:
    """The Python check cannot see a concurrent write; the partial unique index keeps one 决赛 per edition and its
    violation is the same 409 ``final_stage_exists``."""
    officer = await factories.user(Role.officer)
    edition = await http_edition(client, officer)
    url = f"/editions/{edition}/rounds"
    rounds = [
        ok(await client.post(url, json=round_body(f"轮次{n}", position=n + 1), headers=officer.headers), 201)["id"]
        for n in range(10)
    ]
    responses = await asyncio.gather(
        *[
            client.patch(f"/rounds/{rounds[n % 10]}", json={"stage": "final"}, headers=officer.headers)
            for n in range(50)
        ]
    )

    finals = await Round.select(Round.id).where((Round.edition == edition) & (Round.stage == "final"))
    assert len(finals) == 1
    assert await Round.raw("SELECT 1 FROM pg_indexes WHERE indexname = 'round_one_final_per_edition'")
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [r.text for r in responses if r.status_code not in (200, 409)]
    # Every PATCH of the winning round succeeds (the later ones change nothing); every other is refused.
    winner = finals[0]["id"]
    for n, response in enumerate(responses):
        if rounds[n % 10] == winner:
            assert response.status_code == 200, response.text
        else:
            assert response.status_code == 409 and response.json()["code"] == "final_stage_exists", response.text
