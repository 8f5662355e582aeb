"""The demo shows 沪社星耀 mid-way (app/site/demo/incubation.py): a cohort of two funded projects of the 2025 edition,
one with an overdue milestone and its report_overdue 预警; indicators; the edition's 品牌塑造营 with held sessions and
attendance of both organisations, on the cohort dashboard; a mentor assigned by the solver with a logged meeting."""

from __future__ import annotations

import httpx
import pytest

from app.site.demo import load_demo
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.incubation.tables import Cohort, IndicatorValue
from scoring.mentors.tables import MentorMeeting, Mentorship
from tests.factories.http import ok

pytestmark = pytest.mark.usefixtures("db")


async def _token(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    login = await client.post("/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_the_demo_has_a_cohort_mid_way(client: httpx.AsyncClient) -> None:
    assert await load_demo() is True
    officer = await _token(client, "officer", "officer-pass-2026")
    # The 2025 cohort mid-way (the 2024 cohort's project has graduated: app/site/demo/graduation.py).
    [cohort] = await Cohort.select(Cohort.id, Cohort.name).where(Cohort.name == "2025 年第一期")
    rows = ok(await client.get(f"/incubation/cohorts/{cohort['id']}/dashboard", headers=officer))
    assert [r["title"] for r in rows] == ["社区长者陪伴计划", "青苗课后成长营"]
    on_time, late = rows
    assert on_time["milestones_late"] == 0 and on_time["open_warnings"] == 0
    assert late["milestones_late"] == 1 and late["open_warnings"] == 1  # the risk scan's report_overdue
    for row in rows:
        assert row["status"] == "in_progress" and row["tranches_paid"] == 0 and row["tranches_total"] == 3
        assert row["indicators_total"] == 2 and row["sessions_held"] == 2
    assert (on_time["sessions_attended"], late["sessions_attended"]) == (2, 1)
    assert on_time["attendance_rate"] == 1.0 and late["attendance_rate"] == 0.5
    # A mentor per project (the solver, k = 1), each with a logged meeting the organisation can read.
    mentorships = await Mentorship.select(Mentorship.id, Mentorship.status)
    assert len(mentorships) == 2 and all(m["status"] == "active" for m in mentorships)
    assert await MentorMeeting.count() == 2
    greenshoots = await _token(client, "greenshoots", "greenshoots-pass-2026")
    mine = ok(await client.get(f"/incubation/projects/{late['project_id']}", headers=greenshoots))
    assert mine["title"] == "青苗课后成长营"
    # 阳光 stated its values with the mid-term report: recorded, counting once the report is accepted.
    assert await IndicatorValue.count() == 2
    # The 2025 contest winner fast-tracked into the open 2026 round, waiting for the organisation's answer.
    [invitation] = await FastTrackInvitation.select(FastTrackInvitation.status)
    assert invitation["status"] == "invited"
