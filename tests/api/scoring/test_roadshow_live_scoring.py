"""Live scoring in the final: a judge's draft or submission counts only within the presentation's window (from its
start to its stop + the session's grace, edges included; one second outside refused), and once the session ends
the final's score sheets are locked on every path — the review API, an officer's reopen, and SQL (a trigger)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest

from app.auth.tables import Role
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories.http import ok, problem
from tests.factories.roadshow import Clock, assignment_of, drawn, final_round, present, score, window_clock_fixture  # noqa: F401 — pytest fixture

DRAFT = {"scores": {"innovation": 70}, "comment": ""}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _draft(client: httpx.AsyncClient, judge: factories.User, application_id: int) -> httpx.Response:
    assignment = await assignment_of(judge, application_id)
    return await client.put(f"/reviews/{assignment}/draft", json=DRAFT, headers=judge.headers)


async def test_scores_count_only_within_the_presentation_window(client: httpx.AsyncClient, window_clock: Clock) -> None:
    final = await final_round(client, grace_seconds=60)
    judge, first = final.judges[0], final.entries[0]
    # Before the draw no presentation is open.
    problem(await _draft(client, judge, first), 409, "presentation_not_open")
    await drawn(client, final)
    problem(await score(client, judge, first, 80, 80), 409, "presentation_not_open")

    started = await present(client, final, first, stop=False)
    start = at(started["started_at"])
    window_clock(start - timedelta(seconds=1))
    problem(await _draft(client, judge, first), 409, "presentation_not_open")
    window_clock(start)
    ok(await _draft(client, judge, first))
    window_clock(start + timedelta(hours=3))  # still on stage: the window stays open until it stops
    ok(await _draft(client, judge, first))
    # Another entry, not yet on stage, is closed.
    problem(await _draft(client, judge, final.entries[1]), 409, "presentation_not_open")

    pid = final.presentation(first)["id"]
    stopped = ok(await client.post(f"/roadshow-presentations/{pid}/stop", headers=final.officer.headers))
    closes = at(stopped["window_closes_at"])
    assert closes == at(stopped["stopped_at"]) + timedelta(seconds=60)
    window_clock(closes + timedelta(seconds=1))
    problem(await _draft(client, judge, first), 409, "scoring_window_closed")
    problem(await score(client, judge, first, 80, 80), 409, "scoring_window_closed")
    window_clock(closes)
    submitted = ok(await score(client, judge, first, 80, 80))
    assert submitted["status"] == "submitted"
    rows = await ReviewAssignment.select(ReviewAssignment.status).where(ReviewAssignment.application == first)
    assert sorted(r["status"] for r in rows) == ["assigned", "assigned", "submitted"]


async def test_the_judges_sheet_shows_their_entries_blind_as_the_round(
    client: httpx.AsyncClient, window_clock: Clock
) -> None:
    final = await final_round(client, blind=True)
    sid = final.session["id"]
    await drawn(client, final)
    started = await present(client, final, final.entries[0], stop=False)
    window_clock(at(started["started_at"]))
    sheet = ok(await client.get(f"/roadshow-sessions/{sid}/sheet", headers=final.judges[0].headers))
    assert sheet["blind"] is True and len(sheet["slots"]) == 3
    assert [s["presentation"]["position"] for s in sheet["slots"]] == [1, 2, 3]
    assert all(s["presentation"]["organisation_name"] is None for s in sheet["slots"])
    open_now = {s["presentation"]["application_id"]: s["scoring_open"] for s in sheet["slots"]}
    assert open_now == {a: a == final.entries[0] for a in final.entries}
    assert {s["assignment_id"] for s in sheet["slots"]} == {
        await assignment_of(final.judges[0], a) for a in final.entries
    }
    # Not a judge of this round: missing, like another expert's assignment.
    stranger = await factories.user(Role.expert)
    problem(await client.get(f"/roadshow-sessions/{sid}/sheet", headers=stranger.headers), 404, "not_found")
    assert (await client.get(f"/roadshow-sessions/{sid}/sheet", headers=final.officer.headers)).status_code == 403


async def test_an_open_round_shows_the_organisation(client: httpx.AsyncClient) -> None:
    final = await final_round(client, blind=False)
    session = await drawn(client, final)
    assert all(p["organisation_name"] for p in session["presentations"])
    sheet = ok(await client.get(f"/roadshow-sessions/{session['id']}/sheet", headers=final.judges[1].headers))
    assert sheet["blind"] is False and all(s["presentation"]["organisation_name"] for s in sheet["slots"])
    board = ok(await client.get(f"/roadshow-sessions/{session['id']}/board", headers=final.officer.headers))
    assert all(e["organisation_name"] for e in board["entries"])


async def test_ended_session_locks_the_sheets_on_every_path(client: httpx.AsyncClient) -> None:
    final = await final_round(client)
    await drawn(client, final)
    first = final.entries[0]
    await present(client, final, first)
    ok(await score(client, final.judges[0], first, 90, 80))
    ended = ok(await client.post(f"/roadshow-sessions/{final.session['id']}/end", headers=final.officer.headers))
    assert ended["session"]["status"] == "ended" and ended["session"]["ended_at"]
    before = await ReviewAssignment.select().order_by(ReviewAssignment.id)

    judge = final.judges[1]
    problem(await score(client, judge, first, 10, 10), 409, "scoring_window_closed")
    problem(await _draft(client, judge, first), 409, "scoring_window_closed")
    submitted = await assignment_of(final.judges[0], first)
    reopen = await client.post(
        f"/assignments/{submitted}/reopen", json={"reason": "想改分"}, headers=final.officer.headers
    )
    problem(reopen, 409, "scoring_window_closed")
    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        await ReviewAssignment.update({ReviewAssignment.comment: "改"}).where(ReviewAssignment.id == submitted)
    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        await ReviewAssignment.delete().where(ReviewAssignment.id == submitted)
    assert await ReviewAssignment.select().order_by(ReviewAssignment.id) == before
