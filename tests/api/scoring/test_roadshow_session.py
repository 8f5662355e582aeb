"""决赛路演 session: the order's seed committed then revealed (anyone recomputes the order), one session per final
round, the per-presentation clock (one on stage at a time), and who may do what."""

from __future__ import annotations

import hashlib

import httpx

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Round
from scoring.roadshow.maths import presentation_order
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.roadshow import drawn, final_round


async def test_the_order_is_committed_then_revealed_and_anyone_can_recompute_it(client: httpx.AsyncClient) -> None:
    final = await final_round(client, entries=4)
    session = final.session
    assert session["status"] == "committed" and session["seed"] is None and len(session["seed_hash"]) == 64
    assert session["entries"] == final.entries and session["presentations"] == []
    before = ok(await client.get(f"/roadshow-sessions/{session['id']}/draw"))  # public, no login
    assert before["seed"] is None and before["order"] == [] and before["seed_hash"] == session["seed_hash"]

    after = await drawn(client, final)
    assert after["status"] == "drawn" and after["seed"] is not None
    assert hashlib.sha256(after["seed"].encode()).hexdigest() == session["seed_hash"]
    order = [p["application_id"] for p in after["presentations"]]
    assert order == presentation_order(after["seed"], final.entries) and sorted(order) == final.entries
    assert [p["position"] for p in after["presentations"]] == [1, 2, 3, 4]
    assert {p["state"] for p in after["presentations"]} == {"waiting"}
    public = ok(await client.get(f"/roadshow-sessions/{session['id']}/draw"))
    assert public["order"] == order and public["seed"] == after["seed"] and public["entries"] == final.entries
    # Drawn once: a second draw changes nothing.
    problem(
        await client.post(f"/roadshow-sessions/{session['id']}/draw", headers=final.officer.headers),
        409,
        "transition_invalid_state",
    )
    assert await RoadshowPresentation.count() == 4


def test_the_order_depends_on_the_seed_only() -> None:
    entries = [5, 3, 9, 1, 7]
    assert presentation_order("abc", entries) == presentation_order("abc", list(reversed(entries)))
    assert sorted(presentation_order("abc", entries)) == sorted(entries)
    assert len({tuple(presentation_order(str(seed), entries)) for seed in range(30)}) > 1


async def test_only_an_open_final_round_gets_one_session(client: httpx.AsyncClient) -> None:
    final = await final_round(client, commit=False)
    officer, round_id = final.officer, final.round["id"]
    await Round.update({Round.stage: "semifinal"}).where(Round.id == round_id)
    refused(await client.post(f"/rounds/{round_id}/roadshow", json={}, headers=officer.headers), 409, "round_not_final")
    await Round.update({Round.stage: "final"}).where(Round.id == round_id)
    for bad in ({"grace_seconds": -1}, {"vote_weight_percent": 51}, {"planned_minutes": 0}, {"seed": "x"}):
        assert (await client.post(f"/rounds/{round_id}/roadshow", json=bad, headers=officer.headers)).status_code == 422
    assert await RoadshowSession.count() == 0
    ok(await client.post(f"/rounds/{round_id}/roadshow", json={}, headers=officer.headers), 201)
    refused(await client.post(f"/rounds/{round_id}/roadshow", json={}, headers=officer.headers), 409, "roadshow_exists")
    assert await RoadshowSession.count() == 1
    read = ok(await client.get(f"/rounds/{round_id}/roadshow", headers=officer.headers))
    assert read["round_id"] == round_id and read["grace_seconds"] == 120 and read["planned_minutes"] == 8


async def test_scope_and_roles(client: httpx.AsyncClient) -> None:
    final = await final_round(client, district=District.changning)
    sid = final.session["id"]
    other = await factories.user(Role.officer, District.xuhui)
    same = await factories.user(Role.officer, District.changning)
    city = await factories.user(Role.officer)
    for path in (
        f"/roadshow-sessions/{sid}",
        f"/roadshow-sessions/{sid}/board",
        f"/rounds/{final.round['id']}/roadshow",
    ):
        problem(await client.get(path, headers=other.headers), 404, "not_found")
        ok(await client.get(path, headers=same.headers))
        ok(await client.get(path, headers=city.headers))
    problem(await client.post(f"/roadshow-sessions/{sid}/draw", headers=other.headers), 404, "not_found")
    judge = final.judges[0]
    assert (await client.post(f"/roadshow-sessions/{sid}/draw", headers=judge.headers)).status_code == 403
    assert (await client.get(f"/roadshow-sessions/{sid}/board", headers=judge.headers)).status_code == 403
    assert (await client.post(f"/roadshow-sessions/{sid}/draw")).status_code == 401
    problem(await client.get("/roadshow-sessions/999999/draw"), 404, "not_found")
    session = await drawn(client, final)
    pid = session["presentations"][0]["id"]
    problem(await client.post(f"/roadshow-presentations/{pid}/start", headers=other.headers), 404, "not_found")
    assert (await client.post(f"/roadshow-presentations/{pid}/start", headers=judge.headers)).status_code == 403
    assert (await RoadshowPresentation.select().where(RoadshowPresentation.id == pid))[0]["started_at"] is None


async def test_one_presentation_on_stage_at_a_time(client: httpx.AsyncClient) -> None:
    final = await final_round(client)
    headers = final.officer.headers
    first_id = final.entries[0]
    pid0 = None
    # Before the draw there is no presentation to start; the clock needs a drawn session.
    session = await drawn(client, final)
    first, second = session["presentations"][0], session["presentations"][1]
    pid0 = first["id"]
    started = ok(await client.post(f"/roadshow-presentations/{pid0}/start", headers=headers))
    assert started["state"] == "presenting" and started["started_at"] and started["window_closes_at"] is None
    refused(
        await client.post(f"/roadshow-presentations/{second['id']}/start", headers=headers), 409, "presentation_running"
    )
    refused(
        await client.post(f"/roadshow-presentations/{second['id']}/stop", headers=headers),
        409,
        "presentation_not_running",
    )
    refused(await client.post(f"/roadshow-sessions/{session['id']}/end", headers=headers), 409, "presentation_running")
    stopped = ok(await client.post(f"/roadshow-presentations/{pid0}/stop", headers=headers))
    assert stopped["state"] == "grace" and stopped["window_closes_at"] is not None
    refused(await client.post(f"/roadshow-presentations/{pid0}/stop", headers=headers), 409, "presentation_not_running")
    refused(
        await client.post(f"/roadshow-presentations/{pid0}/start", headers=headers), 409, "presentation_already_started"
    )
    ok(await client.post(f"/roadshow-presentations/{second['id']}/start", headers=headers))
    assert first_id in final.entries
    ok(await client.post(f"/roadshow-presentations/{second['id']}/stop", headers=headers))
    ended = ok(await client.post(f"/roadshow-sessions/{session['id']}/end", headers=headers))
    assert ended["session"]["status"] == "ended" and ended["round_closed"] is False  # the deadline is still ahead
    third = session["presentations"][2]["id"]
    refused(await client.post(f"/roadshow-presentations/{third}/start", headers=headers), 409, "roadshow_not_live")
    problem(
        await client.post(f"/roadshow-sessions/{session['id']}/end", headers=headers), 409, "transition_invalid_state"
    )
