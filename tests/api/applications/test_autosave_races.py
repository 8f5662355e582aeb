"""Autosave racing submit (issue 10): the answers an application is submitted with are the answers it keeps, and
experts and officers always read that frozen submission, whatever the working copy holds."""

from __future__ import annotations

import asyncio
import io
import json
import random
from collections import Counter
from typing import Any

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from programmes.attachments.tables import Attachment
from programmes.exports.service import applications_sheet
from programmes.tables import Application
from scoring.assignments.schemas import AssignmentCreate
from scoring.assignments.service import assign
from tests import factories
from tests.factories import GOOD_ANSWERS
from tests.factories.applications import PDF, draft, stored_files
from tests.factories.http import ok

APPLICATIONS = 20
PATCHES_PER_APPLICATION = 3  # 20 submits + 60 autosaves = 80 concurrent requests


def edited(version: int) -> dict[str, Any]:
    return {**GOOD_ANSWERS, "summary": f"修改后的项目简介，第 {version} 版，仍然完整有效", "beneficiaries": version}


async def test_autosaves_racing_submits_never_change_a_submitted_application(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, allow_multiple_entries=True)
    org_id, member = await factories.organisation()
    ids = [(await draft(client, member, org_id, call["id"]))["id"] for _ in range(APPLICATIONS)]
    requests: list[tuple[str, int, Any]] = [("submit", i, None) for i in ids]
    requests += [("patch", i, edited(n)) for i in ids for n in range(1, PATCHES_PER_APPLICATION + 1)]
    random.Random(10).shuffle(requests)

    def send(kind: str, application_id: int, answers: Any) -> Any:
        path = f"/applications/{application_id}"
        if kind == "submit":
            return client.post(f"{path}/submit", headers=member.headers)
        return client.patch(path, json={"answers": answers}, headers=member.headers)

    responses = await asyncio.gather(*[send(*r) for r in requests])

    outcomes = Counter((kind, r.status_code) for (kind, _, _), r in zip(requests, responses, strict=True))
    assert outcomes[("submit", 200)] == APPLICATIONS, outcomes  # every submit wins: a draft is always valid here
    refused = [
        r for (kind, _, _), r in zip(requests, responses, strict=True) if kind == "patch" and r.status_code != 200
    ]
    assert all(r.status_code == 409 and r.json()["code"] == "application_not_editable" for r in refused), refused[:3]
    rows = await Application.select(
        Application.id, Application.status, Application.answers, Application.submitted_answers
    ).output(load_json=True)
    assert len(rows) == APPLICATIONS
    assert {r["status"] for r in rows} == {"submitted"}
    drifted = [r["id"] for r in rows if r["answers"] != r["submitted_answers"]]
    assert drifted == [], f"{len(drifted)} of {APPLICATIONS} submitted applications changed after submission"
    # A refused autosave wrote nothing: one audit row per accepted one.
    saved = outcomes[("patch", 200)]
    assert await AuditEntry.count().where(AuditEntry.action == "application.save_draft") == saved


async def test_experts_and_officers_read_the_submission_not_the_working_copy(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    expert = await factories.user(Role.expert)
    call = await factories.contest_round(officer, blind=False)
    org_id, member = await factories.organisation()
    created = await draft(client, member, org_id, call["id"])
    ok(await client.post(f"/applications/{created['id']}/submit", headers=member.headers))
    assignment = await assign(officer.principal, AssignmentCreate(application_id=created["id"], expert_id=expert.id))
    # Whatever puts a working copy next to the submission (an edit after a return for revision, a write from an
    # older release), staff and experts see what was submitted.
    working = edited(99)
    await Application.update({Application.answers: json.dumps(working, ensure_ascii=False)}).where(
        Application.id == created["id"]
    )

    staff_view = ok(await client.get(f"/applications/{created['id']}", headers=officer.headers))
    assert staff_view["answers"] == GOOD_ANSWERS
    [listed] = ok(await client.get(f"/rounds/{call['id']}/applications", headers=officer.headers))
    assert listed["answers"] == GOOD_ANSWERS
    review = ok(await client.get(f"/reviews/{assignment.id}", headers=expert.headers))
    assert review["answers"] == GOOD_ANSWERS
    _, [exported] = await applications_sheet(call["id"])
    assert GOOD_ANSWERS["summary"] in exported and working["summary"] not in exported
    # The applicant's own view is the working copy they edit.
    assert ok(await client.get(f"/applications/{created['id']}", headers=member.headers))["answers"] == working


async def test_returned_application_shows_staff_the_last_submission_until_resubmitted(
    client: httpx.AsyncClient,
) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer)
    org_id, member = await factories.organisation()
    created = await draft(client, member, org_id, call["id"])
    path = f"/applications/{created['id']}"
    ok(await client.post(f"{path}/submit", headers=member.headers))
    body = {"action": "return_for_revision", "application_ids": [created["id"]], "reason": "预算明细不完整"}
    ok(await client.post("/applications/actions", json=body, headers=officer.headers))
    ok(await client.patch(path, json={"answers": edited(7)}, headers=member.headers))

    assert ok(await client.get(path, headers=officer.headers))["answers"] == GOOD_ANSWERS
    ok(await client.post(f"{path}/submit", headers=member.headers))
    assert ok(await client.get(path, headers=officer.headers))["answers"] == edited(7)


async def test_uploads_racing_submits_never_add_a_file_after_submission(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, allow_multiple_entries=True)
    org_id, member = await factories.organisation()
    ids = [(await draft(client, member, org_id, call["id"]))["id"] for _ in range(10)]
    requests = [("submit", i) for i in ids] + [("upload", i) for i in ids for _ in range(5)]  # 60 requests
    random.Random(13).shuffle(requests)

    def send(kind: str, application_id: int) -> Any:
        path = f"/applications/{application_id}"
        if kind == "submit":
            return client.post(f"{path}/submit", headers=member.headers)
        file = {"file": ("申报书.pdf", io.BytesIO(PDF), "application/octet-stream")}
        return client.post(f"{path}/attachments", files=file, headers=member.headers)

    responses = await asyncio.gather(*[send(*r) for r in requests])

    uploads = [r for (kind, _), r in zip(requests, responses, strict=True) if kind == "upload"]
    assert {r.status_code for r in uploads} <= {201, 409}, [r.text for r in uploads if r.status_code >= 500][:2]
    assert {r.json()["code"] for r in uploads if r.status_code == 409} <= {"application_not_editable"}
    assert await Attachment.count() == sum(r.status_code == 201 for r in uploads)
    assert len(stored_files()) == await Attachment.count()  # a refused upload leaves no bytes behind
    log = await AuditEntry.select(AuditEntry.id, AuditEntry.action, AuditEntry.object_id).where(
        AuditEntry.action.is_in(["attachment.upload", "contest_application.submit"])
    )
    submitted_at = {e["object_id"]: e["id"] for e in log if e["action"] == "contest_application.submit"}
    assert sorted(submitted_at) == sorted(ids)
    late = [e for e in log if e["action"] == "attachment.upload" and e["id"] > submitted_at[e["object_id"]]]
    assert late == [], f"{len(late)} files added to applications after they were submitted"
