"""Committing a stage advance is idempotent under concurrency: 50 concurrent commits (and bulk advances racing them)
create each carried entry once, with its files once, and move every entry once."""

from __future__ import annotations

import asyncio

import httpx

from app.audit import AuditEntry
from app.notifications.tables import Notification
from app.reference import District
from programmes.attachments.tables import Attachment
from programmes.tables import Application
from tests.factories.applications import stored_files
from tests.factories.stages import quota, review_and_close, staged_edition


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
