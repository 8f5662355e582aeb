"""The final's live scoring page: the judge's sessions, the presentation on stage with its score buttons, a submit
through the review service within the window, a refusal outside it (the service's Chinese message, nothing stored),
the polled stage key, blind rounds without any applicant identity, and other judges' and roles' refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from app.auth.tables import Role
from app.portal.errors import FORBIDDEN, NOT_FOUND
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.roadshow.window import CLOSED_ZH, NOT_OPEN_ZH
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.expert_portal import identities_of, revealed_in
from tests.factories.portal import csrf_token, signed_in
from tests.factories.roadshow import (  # noqa: F401 — window_clock_fixture is a pytest fixture
    Clock,
    Final,
    assignment_of,
    drawn,
    final_round,
    present,
    window_clock_fixture,
)

SCORES = {"score.innovation": "80", "score.feasibility": "70"}


async def _row(assignment_id: int) -> dict[str, object]:
    row = await ReviewAssignment.select().where(ReviewAssignment.id == assignment_id).first()
    assert row is not None
    return row


async def _judging(client: httpx.AsyncClient, final: Final) -> str:
    client.cookies.clear()
    await signed_in(client, final.judges[0].principal.username)
    return f"/portal/roadshow/{final.session['id']}"


async def test_the_judge_sees_the_entry_on_stage_with_score_buttons_and_no_applicant(
    client: httpx.AsyncClient,
) -> None:
    final = await final_round(client, judges=2, entries=3, blind=True)
    page = await _judging(client, final)
    identities = await identities_of(final.entries)

    sessions = await client.get("/portal/roadshow")
    assert sessions.status_code == 200 and f'href="{page}"' in sessions.text
    before = await client.get(page)
    assert before.status_code == 200 and "出场顺序尚未抽取" in before.text

    await drawn(client, final)
    first = final.session["presentations"][0]
    await present(client, final, first["application_id"], stop=False)
    live = await client.get(page)
    assert live.status_code == 200 and "现在上台 · 第 1 位" in live.text and "路演中" in live.text
    assert 'name="score.innovation" value="100"' in live.text and 'name="score.feasibility" value="50"' in live.text
    assert "提交评分" in live.text and live.text.count("待评审") == 4  # the sheet of three, and 「我的评分」
    stage = await client.get(f"{page}/stage")
    assert stage.status_code == 200 and set(stage.json()) == {"stage"}
    for response in (sessions, before, live, stage):
        assert revealed_in(identities, response) == [], response.url


async def test_a_score_within_the_window_is_submitted_and_the_stage_key_moves_on(client: httpx.AsyncClient) -> None:
    final = await final_round(client, judges=2, entries=2, blind=True)
    page = await _judging(client, final)
    await drawn(client, final)
    first, second = (p["application_id"] for p in final.session["presentations"])
    await present(client, final, first, stop=False)
    mine = await assignment_of(final.judges[0], first)
    key = (await client.get(f"{page}/stage")).json()["stage"]
    token = await csrf_token(client, page)

    done = await client.post(page, data={"csrf_token": token, "assignment_id": str(mine), **SCORES})

    assert done.status_code == 303 and done.headers["location"] == page
    row = await _row(mine)
    assert row["status"] == ReviewAssignmentStatus.submitted
    assert row["scores"] in ({"innovation": 80, "feasibility": 70}, '{"innovation": 80, "feasibility": 70}')
    assert "已提交第 1 位项目的评分" in (await client.get(page)).text
    moved = (await client.get(f"{page}/stage")).json()["stage"]
    assert moved != key
    pid = final.presentation(first)["id"]
    await client.post(f"/roadshow-presentations/{pid}/stop", headers=final.officer.headers)
    await present(client, final, second, stop=False)
    assert (await client.get(f"{page}/stage")).json()["stage"] != moved
    assert "现在上台 · 第 2 位" in (await client.get(page)).text


async def test_a_score_outside_the_window_is_refused_in_chinese_and_nothing_is_stored(
    client: httpx.AsyncClient, window_clock: Clock
) -> None:
    final = await final_round(client, judges=2, entries=2, blind=True, grace_seconds=60)
    page = await _judging(client, final)
    await drawn(client, final)
    first, second = (p["application_id"] for p in final.session["presentations"])
    stopped = await present(client, final, first, stop=True)
    token = await csrf_token(client, page)
    mine, later = await assignment_of(final.judges[0], first), await assignment_of(final.judges[0], second)

    window_clock(datetime.fromisoformat(stopped["window_closes_at"]) + timedelta(seconds=1))
    closed = await client.post(page, data={"csrf_token": token, "assignment_id": str(mine), **SCORES})
    not_yet = await client.post(page, data={"csrf_token": token, "assignment_id": str(later), **SCORES})

    assert closed.status_code == 409 and CLOSED_ZH in closed.text and 'role="alert"' in closed.text
    assert not_yet.status_code == 409 and NOT_OPEN_ZH in not_yet.text
    for assignment in (mine, later):
        row = await _row(assignment)
        assert row["status"] == ReviewAssignmentStatus.assigned and row["scores"] in ({}, "{}")


async def test_the_live_page_is_for_the_sessions_judges_only(client: httpx.AsyncClient) -> None:
    final = await final_round(client, judges=2, entries=1, blind=True)
    await drawn(client, final)
    entry = final.entries[0]
    await present(client, final, entry, stop=False)
    page = f"/portal/roadshow/{final.session['id']}"
    outsider = await factories.user(Role.expert)
    await signed_in(client, outsider.principal.username)
    token = await csrf_token(client, "/portal/roadshow")
    judged = await assignment_of(final.judges[0], entry)

    for response in (
        await client.get(page),
        await client.get(f"{page}/stage"),
        await client.post(page, data={"csrf_token": token, "assignment_id": str(judged), **SCORES}),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text
    assert "现在上台" not in (await client.get("/portal/roadshow")).text
    # The route the list page shares its service with.
    assert (await client.get("/roadshow-sessions/mine", headers=outsider.headers)).json() == []
    theirs = (await client.get("/roadshow-sessions/mine", headers=final.judges[0].headers)).json()
    assert [(s["session_id"], s["status_zh"]) for s in theirs] == [(final.session["id"], "已抽取出场顺序")]
    assert (await _row(judged))["status"] == ReviewAssignmentStatus.assigned

    client.cookies.clear()
    await signed_in(client, final.members[0].principal.username)
    refused = await client.get(page)
    assert refused.status_code == 403 and FORBIDDEN in refused.text
