"""沪社星耀 cohorts: an officer in scope opens a cohort of an edition and adds its selected/awarded applications
(once each, even under 50 concurrent requests); the plan's milestones are the award's reports and tranches; values
stated with a report count once it is accepted; an overdue milestone raises the existing 预警; the dashboard and its
xlsx export; scope (other district, other organisation: 404) and bad input (code, zh-CN message, field)."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from openpyxl import load_workbook

from app.timezone import today_shanghai
from programmes.incubation.tables import SupportedProject
from programmes.reports.tables import ProgressReport
from programmes.risk.scan import scan_risks
from tests.factories.http import ok, problem
from tests.factories.incubation import IncubationWorld, build, cohort_with_projects
from tests.factories.world import World

BASE = "/incubation"


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:
    return await build(world)


def _field(body: dict[str, object]) -> str:
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    return str(errors[0]["field"])


async def test_cohort_plan_milestones_values_and_dashboard(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    project = ok(await client.get(f"{BASE}/projects/{made['project_id']}", headers=officer))
    assert project["status"] == "in_progress" and project["award_id"] == w.award_id
    # One plan: the milestones are the award's reports, each with the tranche its acceptance releases.
    [milestone, final] = project["milestones"]
    assert milestone["report_id"] == w.milestone_report_id and milestone["tranche_id"] == w.tranche_ids[1]
    assert milestone["late"] is True and final["tranche_id"] == w.tranche_ids[2] and final["late"] is False
    # The organisation states a value with the milestone report; it counts once the report is accepted.
    values = {"report_id": w.milestone_report_id, "values": [{"indicator_id": made["indicator_id"], "value": 1300}]}
    stated = ok(
        await client.post(
            f"{BASE}/projects/{made['project_id']}/indicator-values", json=values, headers=w.world.applicant.headers
        )
    )
    assert stated["indicators"][0]["current"] is None
    await scan_risks(today_shanghai())
    await ProgressReport.update({ProgressReport.status: "accepted"}).where(ProgressReport.id == w.milestone_report_id)
    accepted = ok(await client.get(f"{BASE}/projects/{made['project_id']}", headers=w.world.applicant.headers))
    assert accepted["indicators"][0] == {**accepted["indicators"][0], "current": 1300, "reached": True}
    problem(
        await client.post(f"{BASE}/projects/{made['project_id']}/indicator-values", json=values, headers=officer),
        409,
        "report_already_accepted",
    )
    rows = ok(await client.get(f"{BASE}/cohorts/{made['cohort_id']}/dashboard", headers=officer))
    row = next(r for r in rows if r["project_id"] == made["project_id"])
    assert row["milestones_total"] == 2 and row["milestones_done"] == 1 and row["milestones_late"] == 0
    assert row["tranches_total"] == 3 and row["tranches_paid"] == 1 and row["paid_fen"] == 300_000
    assert row["open_warnings"] == 1  # the overdue milestone's report_overdue 预警 from the daily scan
    assert row["indicators_reached"] == 1 and row["attendance_rate"] is None
    selected = next(r for r in rows if r["project_id"] == made["selected_project_id"])
    assert selected["milestones_total"] == 0
    export = await client.get(f"{BASE}/cohorts/{made['cohort_id']}/dashboard.xlsx", headers=officer)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][1] == "项目名称" and len(lines) == 3
    listed = await client.get(f"{BASE}/cohorts", headers=officer)
    assert listed.headers["X-Total-Count"] == "1"
    assert len(ok(await client.get(f"{BASE}/cohorts/{made['cohort_id']}/projects", headers=officer))) == 2


async def test_scope_other_district_and_other_organisation_see_nothing(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    made = await cohort_with_projects(client, w)
    pudong = w.world.pudong_officer.headers
    problem(await client.get(f"{BASE}/cohorts/{made['cohort_id']}", headers=pudong), 404, "not_found")
    problem(await client.get(f"{BASE}/cohorts/{made['cohort_id']}/dashboard", headers=pudong), 404, "not_found")
    problem(await client.get(f"{BASE}/projects/{made['project_id']}", headers=pudong), 404, "not_found")
    problem(
        await client.get(f"{BASE}/projects/{made['project_id']}", headers=w.world.other_applicant.headers),
        404,
        "not_found",
    )
    assert ok(await client.get(f"{BASE}/cohorts", headers=pudong)) == []
    ok(await client.get(f"{BASE}/projects/{made['project_id']}", headers=w.world.city_officer.headers))
    ok(await client.get(f"{BASE}/projects/{made['project_id']}", headers=w.world.applicant.headers))
    problem(
        await client.post(f"{BASE}/cohorts", json={"edition_id": w.edition_id, "name": "浦东批次"}, headers=pudong),
        404,
        "not_found",
    )
    refused = await client.post(
        f"{BASE}/cohorts", json={"edition_id": w.edition_id, "name": "x"}, headers=w.world.applicant.headers
    )
    assert refused.status_code == 403


async def test_bad_input_names_the_field(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.city_officer.headers
    short = problem(
        await client.post(f"{BASE}/cohorts", json={"edition_id": w.edition_id, "name": "x"}, headers=officer),
        422,
        "validation_failed",
    )
    assert _field(short) == "name"
    contest = problem(
        await client.post(
            f"{BASE}/cohorts", json={"edition_id": w.world.round["edition_id"], "name": "大赛批次"}, headers=officer
        ),
        422,
        "cohort_not_support_plan",
    )
    assert _field(contest) == "edition_id" and "沪社星耀" in contest["detail"]
    made = await cohort_with_projects(client, w)
    join = f"{BASE}/cohorts/{made['cohort_id']}/projects"
    draft = problem(
        await client.post(join, json={"application_id": w.draft_id}, headers=officer), 422, "project_not_selected"
    )
    assert _field(draft) == "application_id"
    problem(
        await client.post(join, json={"application_id": w.awarded_id}, headers=officer),
        409,
        "project_already_in_cohort",
    )
    other = problem(
        await client.post(join, json={"application_id": w.world.submitted_id}, headers=officer),
        422,
        "project_not_in_edition",
    )
    assert _field(other) == "application_id"
    taken = problem(
        await client.post(
            f"{BASE}/cohorts", json={"edition_id": w.edition_id, "name": "2026 年第一期"}, headers=officer
        ),
        409,
        "cohort_name_taken",
    )
    assert _field(taken) == "name"
    plan = f"{BASE}/projects/{made['project_id']}/plan"
    twice = {"indicators": [{"name": "人次", "unit": "人次", "target": 1}, {"name": "人次", "unit": "次", "target": 2}]}
    assert (
        _field(problem(await client.put(plan, json=twice, headers=officer), 422, "indicator_duplicate")) == "indicators"
    )
    negative = {"indicators": [{"name": "人次", "unit": "人次", "target": -1}]}
    assert _field(problem(await client.put(plan, json=negative, headers=officer), 422, "validation_failed")) == (
        "indicators.0.target"
    )
    wrong_report = {"report_id": 2**31 - 1, "values": [{"indicator_id": made["indicator_id"], "value": 1}]}
    values = f"{BASE}/projects/{made['project_id']}/indicator-values"
    assert _field(
        problem(await client.post(values, json=wrong_report, headers=officer), 422, "report_not_of_project")
    ) == ("report_id")
    wrong_indicator = {"report_id": w.milestone_report_id, "values": [{"indicator_id": 2**31 - 1, "value": 1}]}
    assert (
        _field(
            problem(await client.post(values, json=wrong_indicator, headers=officer), 422, "indicator_not_of_project")
        )
        == "values.0.indicator_id"
    )


async def test_fifty_concurrent_joins_of_one_application_make_one_project(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    cohort = ok(
        await client.post(f"{BASE}/cohorts", json={"edition_id": w.edition_id, "name": "并发批次"}, headers=officer),
        201,
    )
    url = f"{BASE}/cohorts/{cohort['id']}/projects"
    answers = await asyncio.gather(
        *(client.post(url, json={"application_id": w.awarded_id}, headers=officer) for _ in range(50))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, codes
    assert await SupportedProject.count().where(SupportedProject.application == w.awarded_id) == 1
