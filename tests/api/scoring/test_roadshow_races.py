"""决赛路演's one-only paths under concurrency: one session per final round, one presentation on stage."""

from __future__ import annotations

import asyncio

import httpx

from scoring.roadshow.tables import RoadshowPresentation, RoadshowSeed, RoadshowSession
from tests.factories.roadshow import drawn, final_round


async def test_fifty_concurrent_set_ups_leave_one_session(client: httpx.AsyncClient) -> None:
    final = await final_round(client, commit=False)
    path, headers = f"/rounds/{final.round['id']}/roadshow", final.officer.headers
    answers = await asyncio.gather(*(client.post(path, json={}, headers=headers) for _ in range(50)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"roadshow_exists"}
    assert await RoadshowSession.count() == 1 and await RoadshowSeed.count() == 1


async def test_fifty_concurrent_starts_put_one_entry_on_stage(client: httpx.AsyncClient) -> None:
    final = await final_round(client, judges=3, entries=5)
    session = await drawn(client, final)
    ids = [p["id"] for p in session["presentations"]]
    answers = await asyncio.gather(
        *(
            client.post(f"/roadshow-presentations/{ids[i % len(ids)]}/start", headers=final.officer.headers)
            for i in range(50)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) == 1 and codes.count(409) == 49, codes
    assert await RoadshowPresentation.count().where(RoadshowPresentation.started_at.is_not_null()) == 1
