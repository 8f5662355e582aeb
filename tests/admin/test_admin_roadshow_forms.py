"""决赛路演 through the admin forms: set up, draw the order, start and stop a presentation, end — the same services
as the API, so the same scope, workflow, audit and score-sheet lock."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession
from tests.factories.admin import AdminFactory
from tests.factories.roadshow import final_round

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


def form(name: str) -> str:
    return f"forms/{quote(name)}/"


async def test_the_roadshow_runs_through_the_admin_forms(client: httpx.AsyncClient, admin_client: AdminFactory) -> None:
    final = await final_round(client, commit=False, district=District.changning)
    city = await admin_client(Role.officer)
    xuhui = await admin_client(Role.officer, District.xuhui)
    setup = {"round_id": final.round["id"], "planned_minutes": 6, "grace_seconds": 30, "vote_weight_percent": 10}
    outside = await xuhui.post(form("决赛路演：登记"), setup)
    assert outside.status_code == 422 and "不存在" in outside.json()["custom_form_error"]
    assert await RoadshowSession.count() == 0
    done = await city.post(form("决赛路演：登记"), setup)
    assert done.status_code == 200, done.text
    session = await RoadshowSession.select().first()
    assert session is not None and session["status"] == "committed" and session["planned_minutes"] == 6
    again = await city.post(form("决赛路演：登记"), setup)
    assert again.status_code == 422 and "已安排路演" in again.json()["custom_form_error"]

    drawn = await city.post(form("决赛路演：抽取出场顺序"), {"session_id": session["id"]})
    assert drawn.status_code == 200, drawn.text
    first = await RoadshowPresentation.select().where(RoadshowPresentation.position == 1).first()
    assert first is not None
    start = await city.post(form("决赛路演：项目路演计时"), {"presentation_id": first["id"], "action": "start"})
    assert start.status_code == 200, start.text
    early_end = await city.post(form("决赛路演：结束路演"), {"session_id": session["id"]})
    assert early_end.status_code == 422 and "路演中" in early_end.json()["custom_form_error"]
    stop = await city.post(form("决赛路演：项目路演计时"), {"presentation_id": first["id"], "action": "stop"})
    assert stop.status_code == 200, stop.text
    stored = await RoadshowPresentation.select().where(RoadshowPresentation.id == first["id"]).first()
    assert stored is not None and stored["started_at"] is not None and stored["stopped_at"] is not None
    ended = await city.post(form("决赛路演：结束路演"), {"session_id": session["id"]})
    assert ended.status_code == 200, ended.text
    assert (await RoadshowSession.select(RoadshowSession.status).first() or {})["status"] == "ended"
    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action)}
    assert {"roadshow_commit", "roadshow_draw", "roadshow_start", "roadshow_stop"} <= actions
