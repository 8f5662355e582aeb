"""Programmes of all three kinds through the API: intake, officer actions, tracks, form versions, screening,
deadlines, timeline, notifications and exports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx
import openpyxl
import pytest
from litestar import Litestar

from app.auth.tables import Role
from app.notifications import Notification
from app.organisations.tables import Organisation
from app.reference import District
from app.timezone import now_utc
from programmes.tables import Application, Round
from tests import factories
from tests.factories import GOOD_ANSWERS
from tests.factories.applications import act, draft, submitted
from tests.factories.http import ok
from tests.factories.worker import run_worker_burst


@pytest.fixture
async def people(client: httpx.AsyncClient) -> dict[str, Any]:
    officer = await factories.user(Role.officer)
    org_id, member = await factories.organisation()
    return {"officer": officer, "org_id": org_id, "member": member}


async def test_return_for_revision_then_resubmit(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    application = await submitted(client, member, org_id, call["id"])
    [no_reason] = await act(client, officer, "return_for_revision", [application["id"]])
    assert no_reason == {
        "application_id": application["id"],
        "ok": False,
        "code": "reason_required",
        "detail": "此操作须填写原因",
        "status": None,
    }
    [returned] = await act(client, officer, "return_for_revision", [application["id"]], "预算明细不完整")
    assert returned["ok"] and returned["status"] == "returned"
    mine = ok(await client.get(f"/applications/{application['id']}", headers=member.headers))
    assert mine["returned_reason"] == "预算明细不完整"
    ok(await client.patch(f"/applications/{application['id']}", json={"title": "修改后的项目"}, headers=member.headers))
    again = ok(await client.post(f"/applications/{application['id']}/submit", headers=member.headers))
    assert again["status"] == "submitted" and again["title"] == "修改后的项目"
    timeline = ok(await client.get(f"/applications/{application['id']}/timeline", headers=member.headers))
    assert [t["label"] for t in timeline if t["status_after"]] == ["提交申报", "退回修改", "修改后重新提交"]
    [returned_entry] = [t for t in timeline if t["status_after"] == "returned"]
    assert returned_entry["actor"] == "项目官员" and returned_entry["reason"] == "预算明细不完整"
    assert timeline[0]["label"] == "创建申报草稿" and any(t["label"] == "资格审查" for t in timeline)
    notes = ok(await client.get("/notifications/mine", headers=member.headers))
    assert any("退回修改" in n["title"] and "预算明细不完整" in n["body"] for n in notes)


async def test_support_plan_selection_and_matching_approval(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    from programmes.catalogue.service import close_round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewSubmit

    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    expert = await factories.user(Role.expert)
    plan = await factories.contest_round(officer, kind="support_plan")
    application = await submitted(client, member, org_id, plan["id"])
    assignment = await assign(
        officer.principal, AssignmentCreate(application_id=application["id"], expert_id=expert.id)
    )
    await submit_review(expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 90, "feasibility": 80}))
    await factories.end_round_window(plan["id"])
    await close_round(officer.principal, plan["id"])
    [wrong] = await act(client, officer, "advance", [application["id"]])  # a contest action, not the plan's
    assert wrong["code"] == "transition_unknown_action"
    [selected] = await act(client, officer, "select", [application["id"]])
    assert selected["status"] == "selected"

    matching = await factories.contest_round(officer, kind="matching")
    offer = await submitted(client, member, org_id, matching["id"])
    [approved] = await act(client, officer, "approve", [offer["id"]])
    assert approved["status"] == "approved"
    [again] = await act(client, officer, "approve", [offer["id"]])
    assert again["code"] == "transition_invalid_state"


async def test_bulk_actions_report_each_application(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    other_id, other_member = await factories.organisation()
    first = await submitted(client, member, org_id, call["id"])
    second = await draft(client, other_member, other_id, call["id"])
    results = await act(client, officer, "reject", [first["id"], second["id"], 999_999], "不符合申报方向")
    assert [(r["ok"], r["code"]) for r in results] == [
        (True, None),
        (False, "transition_invalid_state"),
        (False, "not_found"),
    ]
    district_officer = await factories.user(Role.officer, District.pudong)
    [outside] = await act(client, district_officer, "reject", [second["id"]], "越权")
    assert outside["code"] == "not_found"


async def test_tracks_are_required_and_entries_limited(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    from programmes.catalogue.schemas import TrackIn

    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(
        officer, tracks=[TrackIn(name="为老服务", quota=10), TrackIn(name="青少年", quota=5)]
    )
    assert [(t["name"], t["quota"]) for t in call["tracks"]] == [("为老服务", 10), ("青少年", 5)]
    missing = await client.post(
        "/applications",
        json={"round_id": call["id"], "organisation_id": org_id, "title": "无赛道"},
        headers=member.headers,
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "track_id"
    elderly, youth = (t["id"] for t in call["tracks"])
    await draft(client, member, org_id, call["id"], track_id=elderly)
    await draft(client, member, org_id, call["id"], track_id=youth)  # another track is another entry
    duplicate = await client.post(
        "/applications",
        json={"round_id": call["id"], "organisation_id": org_id, "title": "重复", "track_id": elderly},
        headers=member.headers,
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "application_exists"

    open_call = await factories.contest_round(officer, allow_multiple_entries=True)
    entries = [await draft(client, member, org_id, open_call["id"]) for _ in range(3)]
    assert [e["entry_number"] for e in entries] == [1, 2, 3]


async def test_new_form_version_keeps_submitted_snapshots(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    application = await submitted(client, member, org_id, call["id"])
    new_form = {"type": "object", "required": ["vision"], "properties": {"vision": {"type": "string", "title": "愿景"}}}
    updated = ok(
        await client.post(
            f"/rounds/{call['id']}/form-versions",
            json={"form_title": "申报书 v2", "form_schema": new_form},
            headers=officer.headers,
        ),
        201,
    )
    assert updated["form_id"] != call["form_id"] and updated["form_schema"] == new_form
    kept = ok(await client.get(f"/applications/{application['id']}", headers=member.headers))
    assert kept["form_version_id"] == call["form_id"]
    snapshot = (
        await Application.select(Application.submitted_answers)
        .where(Application.id == application["id"])
        .first()
        .output(load_json=True)
    )
    assert snapshot == {"submitted_answers": GOOD_ANSWERS}
    public = ok(await client.get(f"/calls/{call['id']}"))
    assert public["form_schema"] == new_form


async def test_submit_one_second_before_and_after_the_deadline(
    client: httpx.AsyncClient, people: dict[str, Any]
) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    created = await draft(client, member, org_id, call["id"])
    await Round.update({Round.closes_at: now_utc() + timedelta(seconds=2)}).where(Round.id == call["id"])
    just_in_time = await client.post(f"/applications/{created['id']}/submit", headers=member.headers)
    assert just_in_time.status_code == 200, just_in_time.text
    other_id, other_member = await factories.organisation()
    late = await Application.insert(
        Application(
            round=call["id"], organisation=other_id, title="迟到", answers=GOOD_ANSWERS, created_by=other_member.id
        )
    ).returning(Application.id)
    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == call["id"])
    too_late = await client.post(f"/applications/{late[0]['id']}/submit", headers=other_member.headers)
    assert too_late.status_code == 409 and too_late.json()["code"] == "deadline_passed"
    assert "北京时间" in too_late.json()["detail"]
    closes = ok(await client.get(f"/rounds/{call['id']}/applications", headers=officer.headers))
    assert {a["status"] for a in closes} == {"submitted", "draft"}


async def test_eligibility_is_screened_at_submit_and_can_be_overridden(
    client: httpx.AsyncClient, people: dict[str, Any]
) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer, eligibility_rules={"min_grade": "3A"})
    application = await submitted(client, member, org_id, call["id"])
    assert application["eligibility_outcome"] == "ineligible"
    findings = {f["code"]: f["severity"] for f in application["eligibility"]["findings"]}
    assert findings == {"grade_too_low": "ineligible", "certificate_date_missing": "warning"}
    override = await client.post(
        f"/applications/{application['id']}/eligibility-override",
        json={"reason": "已提交 2026 年评估结果公示截图"},
        headers=officer.headers,
    )
    assert ok(override)["eligibility_outcome"] == "overridden"
    await Organisation.update(
        {Organisation.evaluation_grade: "4A", Organisation.grade_valid_until: date(2030, 12, 31)}
    ).where(Organisation.id == org_id)
    [rescreened] = ok(
        await client.post(
            "/applications/screen", json={"application_ids": [application["id"]]}, headers=officer.headers
        )
    )
    assert rescreened["eligibility_outcome"] == "eligible" and rescreened["eligible"] is True
    await Organisation.update({Organisation.abnormal_listed_on: date(2026, 1, 1)}).where(Organisation.id == org_id)
    [listed] = ok(
        await client.post(
            "/applications/screen", json={"application_ids": [application["id"]]}, headers=officer.headers
        )
    )
    assert listed["eligibility_outcome"] == "ineligible"
    assert "listed_abnormal" in [f["code"] for f in listed["findings"]]


async def test_deadline_reminders_are_sent_once(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    from programmes.applications.jobs import send_deadline_reminders

    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer, closes_in=timedelta(hours=20))
    await draft(client, member, org_id, call["id"])
    assert await send_deadline_reminders() == 2  # inside both the 3-day and the 1-day window
    assert await send_deadline_reminders() == 0  # a worker restart repeats nothing
    reminders = await Notification.select(Notification.kind, Notification.title).where(
        Notification.kind == "deadline_reminder"
    )
    assert len(reminders) == 2 and all("即将截止" in r["title"] for r in reminders)


async def test_export_is_produced_by_the_worker_and_reads_back(
    client: httpx.AsyncClient, people: dict[str, Any]
) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    await submitted(client, member, org_id, call["id"])
    job = ok(await client.post(f"/rounds/{call['id']}/exports", headers=officer.headers), 202)
    assert job["state"] == "queued"
    not_ready = await client.get(f"/exports/{job['id']}/file", headers=officer.headers)
    assert not_ready.status_code == 409
    await run_worker_burst()
    progress = ok(await client.get(f"/exports/{job['id']}", headers=officer.headers))
    assert (progress["state"], progress["rows_done"], progress["rows_total"]) == ("done", 1, 1)
    download = await client.get(f"/exports/{job['id']}/file", headers=officer.headers)
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True).active
    assert sheet is not None
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[:6] == ("申报编号", "申报单位", "所在区", "赛道", "项目名称", "状态")
    assert "项目简介" in header and "受益人数" in header
    values = dict(zip(header, row, strict=True))
    assert values["项目简介"] == GOOD_ANSWERS["summary"] and values["受益人数"] == 120 and values["状态"] == "已提交"
    outsider = await factories.user(Role.officer, District.pudong)
    assert (await client.get(f"/exports/{job['id']}/file", headers=outsider.headers)).status_code == 404


async def test_bulk_actions_cannot_bypass_dedicated_operations(
    client: httpx.AsyncClient, people: dict[str, Any]
) -> None:
    officer, member, org_id = people["officer"], people["member"], people["org_id"]
    call = await factories.contest_round(officer)
    application = await submitted(client, member, org_id, call["id"])
    for action in ("award", "start_review", "rank", "reopen_review"):
        [result] = await act(client, officer, action, [application["id"]])
        assert result["code"] == "action_not_available_here", action
    assert ok(await client.get(f"/applications/{application['id']}", headers=officer.headers))["status"] == "submitted"


async def test_attachment_limits_must_be_consistent(client: httpx.AsyncClient, people: dict[str, Any]) -> None:
    officer = people["officer"]
    with pytest.raises(Exception) as refused:
        await factories.contest_round(officer, max_attachment_mb=200, max_application_attachment_mb=100)
    assert getattr(refused.value, "code", None) == "attachment_limits_invalid"


async def test_open_calls_read_a_constant_number_of_queries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piccolo.engine.postgres import PostgresEngine

    from programmes.catalogue.schemas import TrackIn

    officer = await factories.user(Role.officer)
    ran: list[str] = []
    original = PostgresEngine.run_querystring

    async def counted(self: PostgresEngine, querystring: Any, in_pool: bool = True) -> Any:
        ran.append(str(querystring))
        return await original(self, querystring, in_pool)

    async def calls_queries() -> tuple[int, int]:
        ran.clear()
        monkeypatch.setattr(PostgresEngine, "run_querystring", counted)
        calls = ok(await client.get("/calls"))
        monkeypatch.setattr(PostgresEngine, "run_querystring", original)
        return len(calls), len(ran)

    await factories.contest_round(officer)
    one, with_one = await calls_queries()
    for _ in range(3):
        await factories.contest_round(officer, tracks=[TrackIn(name="A 赛道"), TrackIn(name="B 赛道")])
    four, with_four = await calls_queries()
    assert (one, four) == (1, 4)
    assert with_one == with_four  # rounds, total, criteria, tracks: whatever the number of calls
    assert all(len(call["criteria"]) == 2 for call in (await client.get("/calls")).json())


def test_the_application_side_lists_page(app: Litestar) -> None:
    """Every list of these rooms takes limit and offset (the list convention, app/paging.py)."""
    paths = app.openapi_schema.to_schema()["paths"]
    lists = [
        "/applications/mine",
        "/rounds/{round_id}/applications",
        "/applications/{application_id}/timeline",
        "/applications/{application_id}/attachments",
        "/calls",
        "/rounds/{round_id}/ranking",
        "/notifications/mine",
    ]
    for path in lists:
        names = {p["name"] for p in paths[path]["get"].get("parameters", [])}
        assert {"limit", "offset"} <= names, path
