"""中期/结项报告 over HTTP: save, submit, return, accept; acceptance releases the linked tranche exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from app.audit import AuditEntry
from app.notifications import Notification
from programmes.reports.reminders import send_report_reminders
from programmes.reports.tables import ProgressReport, ReportExpense
from tests.factories.funding import GOOD_REPORT, funded, make_effective, ok, tranche_statuses, upload
from tests.factories.world import World, row_counts

EXPENSES = [
    {"category": "activities", "description": "助餐活动食材", "amount_fen": 120_000, "spent_on": "2026-03-01"},
    {"category": "personnel", "description": "社工补贴", "amount_fen": 80_000, "spent_on": "2026-03-15"},
]


async def save(client: httpx.AsyncClient, world: World, report_id: int, **body: Any) -> httpx.Response:
    draft = {"answers": GOOD_REPORT, "attachment_ids": [], "expenses": EXPENSES, **body}
    return await client.put(f"/reports/{report_id}", json=draft, headers=world.applicant.headers)


async def submit(client: httpx.AsyncClient, world: World, report_id: int) -> httpx.Response:
    return await client.post(f"/reports/{report_id}/submit", headers=world.applicant.headers)


async def test_reports_release_the_payment_plan_step_by_step(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world)
    milestone, final, tranches = project["milestone_id"], project["final_id"], project["tranche_ids"]
    staff, applicant = world.changning_officer.headers, world.applicant.headers

    # Before the agreement takes effect a report can be drafted, not submitted, and is not yet listed as owed.
    ok(await save(client, world, milestone))
    refused = await submit(client, world, milestone)
    assert refused.status_code == 409 and refused.json()["code"] == "agreement_not_effective"
    assert ok(await client.get("/reports/mine", headers=applicant)) == []

    await make_effective(client, world, project["agreement_id"])
    assert await tranche_statuses(tranches) == ["released", "planned", "planned"]
    early = await client.post("/payment-batches", json={"title": "第二笔", "tranche_ids": [tranches[1]]}, headers=staff)
    assert early.status_code == 409, early.text
    mine = ok(await client.get("/reports/mine", headers=applicant))
    assert [(r["id"], r["kind"], r["status"]) for r in mine] == [
        (milestone, "milestone", "due"),
        (final, "final", "due"),
    ]
    assert ok(await client.get("/reports/mine", headers=world.other_applicant.headers)) == []

    # Another organisation's member and an officer of another district find nothing; an expert is not allowed.
    other = world.other_applicant.headers
    assert (await client.get(f"/reports/{milestone}", headers=other)).status_code == 404
    assert (await save(client, world, milestone)).status_code == 200
    foreign_put = await client.put(f"/reports/{milestone}", json={"answers": {}}, headers=other)
    assert foreign_put.status_code == 404 and foreign_put.json()["code"] == "not_found"
    assert (await client.post(f"/reports/{milestone}/submit", headers=other)).status_code == 404
    assert (await client.get(f"/reports/{milestone}", headers=world.pudong_officer.headers)).status_code == 404
    assert (await client.get(f"/reports/{milestone}", headers=world.expert.headers)).status_code == 403

    # Bad answers: the draft saves, the submission is refused per field and writes nothing.
    ok(await save(client, world, milestone, answers={"summary": "太短", "beneficiaries": -1}))
    before = await row_counts()
    bad = await submit(client, world, milestone)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    body = bad.json()
    assert body["code"] == "report_invalid" and "报告" in body["detail"]
    fields = {e["field"] for e in body["errors"]}
    assert {"answers.summary", "answers.beneficiaries", "answers.outcomes", "answers.next_steps"} <= fields
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in body["errors"])
    assert await row_counts() == before
    assert ok(await client.get(f"/reports/{milestone}", headers=applicant))["status"] == "due"

    # An attachment of another application, and a category outside the agreement's budget plan.
    foreign_attachment = await upload(client, world, world.draft_id)
    outside = [EXPENSES[0], {**EXPENSES[1], "category": "venue"}]
    ok(await save(client, world, milestone, attachment_ids=[foreign_attachment], expenses=outside))
    bad = await submit(client, world, milestone)
    assert bad.status_code == 422
    assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {
        ("attachment_ids", "attachment_not_of_application"),
        ("expenses[1].category", "expense_category_not_budgeted"),
    }

    saved = ok(await save(client, world, milestone, attachment_ids=[project["attachment_id"]]))
    assert saved["attachment_ids"] == [project["attachment_id"]]
    assert [(e["category"], e["amount_fen"]) for e in saved["expenses"]] == [
        ("activities", 120_000),
        ("personnel", 80_000),
    ]
    assert await ReportExpense.count() == 2  # replaced, not appended
    submitted = ok(await submit(client, world, milestone))
    assert submitted["status"] == "submitted" and submitted["submitted_at"] is not None
    locked = await save(client, world, milestone)
    assert locked.status_code == 409 and locked.json()["code"] == "report_not_editable"

    # The final report may be submitted before the milestone is accepted, but not accepted before it.
    ok(await save(client, world, final, answers={k: v for k, v in GOOD_REPORT.items() if k != "next_steps"}))
    ok(await submit(client, world, final))
    blocked = await client.post(f"/reports/{final}/accept", headers=staff)
    assert blocked.status_code == 409 and blocked.json()["code"] == "milestones_not_accepted"

    # An officer of another district cannot accept; the changning officer returns it once.
    assert (await client.post(f"/reports/{milestone}/accept", headers=world.pudong_officer.headers)).status_code == 404
    assert await tranche_statuses(tranches) == ["released", "planned", "planned"]
    listed = ok(await client.get("/reports", params={"status": "submitted"}, headers=staff))
    assert {r["id"] for r in listed} == {milestone, final}
    assert ok(await client.get("/reports", headers=world.pudong_officer.headers)) == []
    returned = ok(await client.post(f"/reports/{milestone}/return", json={"reason": "请补充支出凭证"}, headers=staff))
    assert returned["status"] == "returned" and returned["return_reason"] == "请补充支出凭证"
    assert await Notification.count().where(Notification.kind == "report_returned") == 1
    assert (await client.post(f"/reports/{milestone}/accept", headers=staff)).status_code == 409
    assert await tranche_statuses(tranches) == ["released", "planned", "planned"]

    ok(await save(client, world, milestone, attachment_ids=[project["attachment_id"]]))
    ok(await submit(client, world, milestone))
    accepted = ok(await client.post(f"/reports/{milestone}/accept", headers=staff))
    assert accepted["status"] == "accepted" and accepted["tranches"] == [
        {"id": tranches[1], "sequence": 2, "amount_fen": 400_000, "status": "released"}
    ]
    assert await tranche_statuses(tranches) == ["released", "released", "planned"]
    ok(
        await client.post("/payment-batches", json={"title": "第二笔", "tranche_ids": [tranches[1]]}, headers=staff),
        201,
    )

    done = ok(await client.post(f"/reports/{final}/accept", headers=staff))
    assert done["status"] == "accepted" and done["form_schema"]["required"] == [
        "summary",
        "beneficiaries",
        "outcomes",
        "problems",
    ]
    assert await tranche_statuses(tranches) == ["released", "in_batch", "released"]
    assert await AuditEntry.count().where(AuditEntry.action == "tranche.release") == 3
    assert await Notification.count().where(Notification.kind == "report_accepted") == 2


async def test_concurrent_acceptances_release_the_tranche_once(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world, effective=True)
    milestone, tranches = project["milestone_id"], project["tranche_ids"]
    ok(await save(client, world, milestone, attachment_ids=[project["attachment_id"]]))
    ok(await submit(client, world, milestone))

    responses = await asyncio.gather(
        *[client.post(f"/reports/{milestone}/accept", headers=world.changning_officer.headers) for _ in range(50)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 49, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"transition_invalid_state"}
    assert await tranche_statuses(tranches) == ["released", "released", "planned"]
    releases = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == "tranche.release")
    assert sorted(r["object_id"] for r in releases) == sorted([tranches[0], tranches[1]])
    assert await AuditEntry.count().where(AuditEntry.action == "progress_report.accept") == 1
    assert await Notification.count().where(Notification.kind == "report_accepted") == 1


async def test_reminders_before_and_after_the_due_date_are_sent_once(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world)
    d1 = project["d1"]
    nothing = {"due_7d": 0, "due_1d": 0, "overdue": 0}
    # A draft agreement asks for no report yet.
    assert await send_report_reminders(d1 - timedelta(days=7)) == nothing
    await make_effective(client, world, project["agreement_id"])

    assert await send_report_reminders(d1 - timedelta(days=8)) == nothing
    assert await send_report_reminders(d1 - timedelta(days=7)) == {**nothing, "due_7d": 1}
    assert await send_report_reminders(d1 - timedelta(days=7)) == nothing
    assert await send_report_reminders(d1 - timedelta(days=5)) == nothing  # the 7-day reminder went already
    assert await send_report_reminders(d1 - timedelta(days=1)) == {**nothing, "due_1d": 1}
    assert await send_report_reminders(d1) == nothing
    assert await send_report_reminders(d1 + timedelta(days=1)) == {**nothing, "overdue": 1}
    assert await send_report_reminders(d1 + timedelta(days=1)) == nothing
    assert await send_report_reminders(d1 + timedelta(days=2)) == {**nothing, "overdue": 1}
    overdue = await Notification.select(Notification.title, Notification.body, Notification.user).where(
        Notification.kind == "report_overdue"
    )
    assert len(overdue) == 2 and {n["user"] for n in overdue} == {world.applicant.id}
    assert overdue[0]["title"] == "第 1 期中期报告已逾期" and "逾期" in overdue[1]["body"]

    # Submitted reports are not chased; the final report is still far off.
    ok(await save(client, world, project["milestone_id"]))
    ok(await submit(client, world, project["milestone_id"]))
    assert await send_report_reminders(d1 + timedelta(days=3)) == nothing
    status = await ProgressReport.select(ProgressReport.status).where(ProgressReport.id == project["milestone_id"])
    assert status == [{"status": "submitted"}]


async def test_an_editions_own_report_form_replaces_the_default(client: httpx.AsyncClient, world: World) -> None:
    from programmes.forms import check_form_schema
    from programmes.reports.form import DEFAULT_REPORT_SCHEMA
    from programmes.tables import Edition

    check_form_schema(DEFAULT_REPORT_SCHEMA)  # the default obeys the same conventions as uploaded forms
    project = await funded(client, world, effective=True)
    own = {
        "type": "object",
        "required": ["photo_note"],
        "properties": {"photo_note": {"type": "string", "title": "活动照片说明", "minLength": 2}},
    }
    path = f"/editions/{project['edition_id']}/report-form"
    # A broken form is refused with the form checker's codes and nothing changes; outside scope is not found.
    before = await row_counts()
    broken = await client.put(path, json={"json_schema": {"type": "array"}}, headers=world.changning_officer.headers)
    assert broken.status_code == 422 and broken.json()["code"] == "form_schema_invalid"
    foreign = await client.put(path, json={"json_schema": own}, headers=world.pudong_officer.headers)
    assert foreign.status_code == 404
    assert (await client.put(path, json={"json_schema": own}, headers=world.applicant.headers)).status_code == 403
    assert await row_counts() == before
    assert await Edition.select(Edition.report_schema).where(Edition.id == project["edition_id"]).first() == {
        "report_schema": "{}"
    }
    set_form = ok(await client.put(path, json={"json_schema": own}, headers=world.changning_officer.headers))
    assert set_form["is_default"] is False
    milestone = project["milestone_id"]
    read = ok(await client.get(f"/reports/{milestone}", headers=world.changning_officer.headers))
    assert read["form_schema"] == own

    ok(await save(client, world, milestone))
    refused = await submit(client, world, milestone)
    assert refused.status_code == 422
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("answers.photo_note", "活动照片说明：此项为必填项")
    ]
    ok(await save(client, world, milestone, answers={"photo_note": "社区助餐现场"}))
    assert ok(await submit(client, world, milestone))["status"] == "submitted"


async def test_a_funded_project_uploads_evidence_for_its_reports(client: httpx.AsyncClient, world: World) -> None:
    project = await funded(client, world)
    application_id = project["application_id"]
    # Submitted and awarded, agreement not yet in force: the application's files are frozen.
    early = await client.post(
        f"/applications/{application_id}/attachments",
        files={"file": ("进度照片.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")},
        headers=world.applicant.headers,
    )
    assert early.status_code == 409 and early.json()["code"] == "application_not_editable"

    await make_effective(client, world, project["agreement_id"])
    evidence = await upload(client, world, application_id)
    saved = ok(await save(client, world, project["milestone_id"], attachment_ids=[evidence]))
    assert saved["attachment_ids"] == [evidence]
    assert ok(await submit(client, world, project["milestone_id"]))["status"] == "submitted"
    # Another organisation's member still cannot add files to this project.
    foreign = await client.post(
        f"/applications/{application_id}/attachments",
        files={"file": ("x.pdf", b"%PDF-1.4\n%%EOF\n")},
        headers=world.other_applicant.headers,
    )
    assert foreign.status_code == 404
