"""The officer's live board (polling and server-sent events) and the final's result: the round's aggregation and
tie-break with the public vote blended in at the session's weight, published through the usual 公示."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from piccolo.engine import engine_finder

from app.auth.tables import Role
from app.reference import District
from programmes.tables import Application, Round
from scoring.roadshow import board as board_service
from tests import factories
from tests.factories.http import ok, problem
from tests.factories.roadshow import Final, drawn, final_round, present, score

# Per entry (A, B, C), each judge's score on both criteria: the judges rank B (70) > A (67.33) > C (60); A's third
# judge sits far from the other two (an outlier review).
SCORES = {0: (80, 82, 40), 1: (70, 70, 70), 2: (60, 60, 60)}


async def _scored_final(client: httpx.AsyncClient, weight: int) -> Final:
    final = await final_round(client, vote_weight_percent=weight, grace_seconds=600)
    await drawn(client, final)
    for index, application_id in enumerate(final.entries):
        await present(client, final, application_id)
        for judge, value in zip(final.judges, SCORES[index], strict=True):
            ok(await score(client, judge, application_id, value, value))
    return final


async def _vote_for(client: httpx.AsyncClient, final: Final, application_id: int, voters: int) -> None:
    sid = final.session["id"]
    ok(await client.post(f"/roadshow-sessions/{sid}/voting/open", headers=final.officer.headers))
    for member in final.members[:voters]:
        body = {"application_id": application_id}
        ok(await client.post(f"/roadshow-sessions/{sid}/votes", json=body, headers=member.headers), 201)


async def test_the_board_shows_progress_votes_rank_outliers_and_spreads(client: httpx.AsyncClient) -> None:
    final = await final_round(client, vote_weight_percent=10)
    a, b, c = final.entries
    sid = final.session["id"]
    empty = ok(await client.get(f"/roadshow-sessions/{sid}/board", headers=final.officer.headers))
    assert [e["judges_expected"] for e in empty["entries"]] == [3, 3, 3]
    assert all(e["rank"] is None and e["current_mean"] is None for e in empty["entries"]) and empty["judges"] == []
    final = await _scored_final_from(client, final)
    await _vote_for(client, final, c, voters=2)
    board = ok(await client.get(f"/roadshow-sessions/{sid}/board", headers=final.officer.headers))
    assert board["blind"] is True and board["method"] == "weighted_mean" and board["voting_open"] is True
    rows = {e["application_id"]: e for e in board["entries"]}
    assert [e["application_id"] for e in board["entries"]] == [c, b, a]  # votes lift C: 0.9·60 + 0.1·100 = 64
    assert [rows[x]["rank"] for x in (c, b, a)] == [1, 2, 3]
    assert rows[a]["current_mean"] == "67.333333" and rows[a]["judges_score"] == "67.333333"
    assert rows[c]["score"] == "64.000000" and rows[b]["score"] == "63.000000" and rows[a]["score"] == "60.600000"
    assert {x: rows[x]["public_votes"] for x in (a, b, c)} == {a: 0, b: 0, c: 2}
    assert all(rows[x]["judges_scored"] == 3 == rows[x]["judges_expected"] for x in (a, b, c))
    assert rows[a]["outlier_experts"] == [final.judges[2].id] and rows[b]["outlier_experts"] == []
    assert rows[b]["spread"] == 0 and rows[a]["spread"] > 15
    assert all(e["organisation_name"] is None for e in board["entries"])  # blind round
    judges = {j["expert_id"]: j for j in board["judges"]}
    assert set(judges) == {j.id for j in final.judges}
    harsh = judges[final.judges[2].id]
    assert harsh["scored"] == 3 and harsh["mean_offset"] < -10 and harsh["spread"] > 10
    assert judges[final.judges[0].id]["mean_offset"] > 0


async def _scored_final_from(client: httpx.AsyncClient, final: Final) -> Final:
    await drawn(client, final)
    for index, application_id in enumerate(final.entries):
        await present(client, final, application_id)
        for judge, value in zip(final.judges, SCORES[index], strict=True):
            ok(await score(client, judge, application_id, value, value))
    return final


async def test_the_board_costs_two_queries_whatever_the_entries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = await _scored_final(client, weight=0)
    engine = engine_finder()
    assert engine is not None
    engine_class = type(engine)
    original = engine_class.run_querystring
    counted: list[Any] = []

    async def run_querystring(self: Any, *args: Any, **kwargs: Any) -> Any:
        counted.append(args)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", run_querystring)
    board = await board_service.board(final.officer.principal, final.session["id"])
    assert len(board.entries) == 3 and len(counted) == 2


async def test_the_stream_sends_the_board_until_the_session_ends(client: httpx.AsyncClient) -> None:
    final = await _scored_final(client, weight=0)
    sid = final.session["id"]
    # While the session runs: the stream's first event is the board now (read from the service: the stream goes on).
    stream = await board_service.board_stream(final.officer.principal, sid)
    first = json.loads(await anext(aiter(stream)))
    assert first["status"] == "drawn" and len(first["entries"]) == 3
    await stream.aclose()  # type: ignore[attr-defined]
    ok(await client.post(f"/roadshow-sessions/{sid}/end", headers=final.officer.headers))
    response = await client.get(f"/roadshow-sessions/{sid}/board/events", headers=final.officer.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\r\n\r\n") if block.strip()]
    assert len(events) == 1 and "event: board" in events[0]
    data = json.loads(next(line[len("data: ") :] for line in events[0].splitlines() if line.startswith("data: ")))
    assert data["status"] == "ended" and data["entries"][0]["rank"] == 1
    outsider = await factories.user(Role.officer, District.xuhui)
    problem(await client.get(f"/roadshow-sessions/{sid}/board/events", headers=outsider.headers), 404, "not_found")


async def test_the_result_blends_the_vote_and_is_published(client: httpx.AsyncClient) -> None:
    final = await _scored_final(client, weight=10)
    a, b, c = final.entries
    round_id, headers = final.round["id"], final.officer.headers
    await _vote_for(client, final, c, voters=2)
    await factories.end_round_window(round_id)
    # The round cannot close while its session runs: the sheets are still open.
    problem(await client.post(f"/rounds/{round_id}/close", headers=headers), 409, "roadshow_not_ended")
    assert (await Round.select(Round.status).where(Round.id == round_id))[0]["status"] == "open"
    ended = ok(await client.post(f"/roadshow-sessions/{final.session['id']}/end", headers=headers))
    assert ended["round_closed"] is True and ended["session"]["voting_open"] is False
    ranking = ok(await client.get(f"/rounds/{round_id}/ranking", headers=headers))
    assert [(r["application_id"], r["rank"]) for r in ranking] == [(c, 1), (b, 2), (a, 3)]
    top = ranking[0]["methods"]
    assert top["public_votes"] == 2 and top["vote_weight_percent"] == 10
    assert top["judges_score"] == "60.000000" and top["score"] == "64.000000"
    assert ranking[2]["flags"] == [f"outlier_review:{final.judges[2].id}"]
    statuses = {r["status"] for r in await Application.select(Application.status).where(Application.round == round_id)}
    assert statuses == {"ranked"}
    published = ok(
        await client.post(f"/rounds/{round_id}/publication", json={"days": 7, "top_n": 2}, headers=headers), 201
    )
    assert sorted(e["application_id"] for e in published["entries"]) == sorted([c, b])  # the top two, votes in


async def test_without_votes_the_result_is_the_judges_ranking(client: httpx.AsyncClient) -> None:
    final = await _scored_final(client, weight=0)
    a, b, c = final.entries
    await factories.end_round_window(final.round["id"])
    ok(await client.post(f"/roadshow-sessions/{final.session['id']}/end", headers=final.officer.headers))
    ranking = ok(await client.get(f"/rounds/{final.round['id']}/ranking", headers=final.officer.headers))
    assert [(r["application_id"], r["rank"]) for r in ranking] == [(b, 1), (a, 2), (c, 3)]
    assert ranking[0]["methods"]["score"] == ranking[0]["methods"]["judges_score"] == "70.000000"
