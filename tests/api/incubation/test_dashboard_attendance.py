"""Camp attendance on the cohort dashboard: sessions attended / sessions held in the edition's camps where the
project's organisation holds a seat, in the JSON rows and the xlsx. Sessions not yet started, camps of other
editions, cancelled camps and registrations without a seat count nothing; an officer's correction counts like a
check-in (and an absent mark clears it). The session-start edge: one second before it the session is not held."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from app.timezone import SHANGHAI, today_shanghai
from programmes.camps.participation import Attendance, by_organisation
from tests.factories.http import ok
from tests.factories.incubation import (
    IncubationWorld,
    build,
    camp_seat,
    checked_in,
    cohort_with_projects,
    edition_camp,
)
from tests.factories.world import World


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:
    return await build(world)


def _at(days: int, hour: int = 9) -> datetime:
    return datetime.combine(today_shanghai() + timedelta(days=days), time(hour, 0), tzinfo=SHANGHAI)


async def test_dashboard_counts_attended_of_held_sessions(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    # The edition's brand camp: three sessions held, one next week.
    brand, brand_sessions = await edition_camp(w.edition_id, [_at(-21), _at(-14), _at(-7), _at(7)])
    awarded_seat = await camp_seat(brand, w.world.org_id)
    await checked_in(awarded_seat, brand_sessions[0])
    await checked_in(awarded_seat, brand_sessions[3])  # a future session does not count, even if marked
    # The officer's correction from a paper sheet counts like a check-in.
    correction = {"present": True, "reason": "纸质签到表补录"}
    path = f"/camps/sessions/{brand_sessions[1]}/attendance/{awarded_seat}"
    ok(await client.put(path, json=correction, headers=officer))
    # A second camp of the edition: one held session, attended.
    venture, venture_sessions = await edition_camp(w.edition_id, [_at(-3)])
    await checked_in(await camp_seat(venture, w.world.org_id), venture_sessions[0])
    # Not counted: another edition's camp, a standalone camp, a cancelled camp of the edition.
    other, other_sessions = await edition_camp(None, [_at(-5)])
    await checked_in(await camp_seat(other, w.world.org_id), other_sessions[0])
    cancelled, cancelled_sessions = await edition_camp(w.edition_id, [_at(-5)], status="cancelled")
    await checked_in(await camp_seat(cancelled, w.world.org_id), cancelled_sessions[0])
    # The selected project's organisation only waits for a seat in the brand camp: no attendance to show.
    await camp_seat(brand, w.second_org_id, status="waitlisted")

    rows = ok(await client.get(f"/incubation/cohorts/{made['cohort_id']}/dashboard", headers=officer))
    awarded = next(r for r in rows if r["project_id"] == made["project_id"])
    assert (awarded["sessions_attended"], awarded["sessions_held"]) == (3, 4)
    assert awarded["attendance_rate"] == pytest.approx(0.75)
    selected = next(r for r in rows if r["project_id"] == made["selected_project_id"])
    assert (selected["sessions_attended"], selected["sessions_held"], selected["attendance_rate"]) == (0, 0, None)

    # Marked absent afterwards: the correction clears the presence.
    ok(await client.put(path, json={"present": False, "reason": "签到表核对有误"}, headers=officer))
    rows = ok(await client.get(f"/incubation/cohorts/{made['cohort_id']}/dashboard", headers=officer))
    awarded = next(r for r in rows if r["project_id"] == made["project_id"])
    assert (awarded["sessions_attended"], awarded["sessions_held"]) == (2, 4)
    assert awarded["attendance_rate"] == pytest.approx(0.5)

    export = await client.get(f"/incubation/cohorts/{made['cohort_id']}/dashboard.xlsx", headers=officer)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    [header, *lines] = list(sheet.iter_rows(values_only=True))
    assert header[-3:] == ("训练营出勤（场）", "训练营已开课（场）", "出勤率（%）")
    by_project = {line[0]: line for line in lines}
    assert by_project[made["project_id"]][-3:] == (2, 4, 50)
    assert by_project[made["selected_project_id"]][-3:] == (0, 0, None)


async def test_a_session_is_held_from_its_start(incubation: IncubationWorld) -> None:
    w = incubation
    start = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    camp, sessions = await edition_camp(w.edition_id, [start - timedelta(days=7), start])
    seat = await camp_seat(camp, w.world.org_id)
    await checked_in(seat, sessions[0])
    orgs = [w.world.org_id, w.second_org_id]
    before = await by_organisation(w.edition_id, orgs, start - timedelta(seconds=1))
    assert before == {w.world.org_id: Attendance(1, 1)}
    at_start = await by_organisation(w.edition_id, orgs, start)
    assert at_start == {w.world.org_id: Attendance(1, 2)} and at_start[w.world.org_id].rate == 0.5
    assert await by_organisation(w.edition_id, []) == {}
