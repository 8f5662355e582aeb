"""The public vote: a session setting, open only while the officer opens it, one vote per verified account and
session (≥ 50 concurrent votes by one account leave one row), rate-limited per account and per address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from app.auth import rate_limit
from app.settings import get_settings
from scoring.roadshow.tables import RoadshowVote
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.roadshow import Final, drawn, final_round, unverify, verify


def _vote(client: httpx.AsyncClient, final: Final, voter: factories.User, application_id: int) -> object:
    return client.post(
        f"/roadshow-sessions/{final.session['id']}/votes",
        json={"application_id": application_id},
        headers=voter.headers,
    )


async def _open(client: httpx.AsyncClient, final: Final) -> None:
    opened = ok(
        await client.post(f"/roadshow-sessions/{final.session['id']}/voting/open", headers=final.officer.headers)
    )
    assert opened["voting_open"] is True


async def test_one_vote_per_verified_account_while_voting_is_open(client: httpx.AsyncClient) -> None:
    final = await final_round(client, vote_weight_percent=10)
    voter, target = final.members[0], final.entries[1]
    sid = final.session["id"]
    # Committed, not drawn: the officer cannot open it yet, and a vote is refused.
    refused(
        await client.post(f"/roadshow-sessions/{sid}/voting/open", headers=final.officer.headers),
        409,
        "roadshow_not_live",
    )
    problem(await _vote(client, final, voter, target), 409, "voting_closed")  # type: ignore[arg-type]
    await drawn(client, final)
    problem(await _vote(client, final, voter, target), 409, "voting_closed")  # type: ignore[arg-type]
    await _open(client, final)
    cast = ok(await _vote(client, final, voter, target), 201)  # type: ignore[arg-type]
    assert cast == {"session_id": sid, "application_id": target, "created_at": cast["created_at"]}
    problem(await _vote(client, final, voter, final.entries[2]), 409, "already_voted")  # type: ignore[arg-type]
    refused(await _vote(client, final, final.members[1], 999999), 422, "not_an_entry", "application_id")  # type: ignore[arg-type]
    await verify(final.judges[0])
    problem(await _vote(client, final, final.judges[0], target), 403, "judges_do_not_vote")  # type: ignore[arg-type]
    unverified = final.members[2]
    await unverify(unverified)
    problem(await _vote(client, final, unverified, target), 403, "account_not_verified")  # type: ignore[arg-type]
    assert (await client.post(f"/roadshow-sessions/{sid}/votes", json={"application_id": target})).status_code == 401
    bad = await client.post(f"/roadshow-sessions/{sid}/votes", json={"application_id": "1"}, headers=voter.headers)
    assert bad.status_code == 422
    ok(await client.post(f"/roadshow-sessions/{sid}/voting/close", headers=final.officer.headers))
    problem(await _vote(client, final, final.members[1], target), 409, "voting_closed")  # type: ignore[arg-type]
    assert await RoadshowVote.count() == 1
    board = ok(await client.get(f"/roadshow-sessions/{sid}/board", headers=final.officer.headers))
    assert {e["application_id"]: e["public_votes"] for e in board["entries"]}[target] == 1


async def test_a_session_without_a_vote_weight_has_no_public_vote(client: httpx.AsyncClient) -> None:
    final = await final_round(client, vote_weight_percent=0)
    await drawn(client, final)
    sid = final.session["id"]
    problem(
        await client.post(f"/roadshow-sessions/{sid}/voting/open", headers=final.officer.headers),
        409,
        "public_vote_disabled",
    )
    problem(await _vote(client, final, final.members[0], final.entries[0]), 409, "public_vote_disabled")  # type: ignore[arg-type]
    assert await RoadshowVote.count() == 0


@pytest.fixture
async def high_limits() -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_vote_per_account, settings.rate_limit_vote_per_ip
    settings.rate_limit_vote_per_account = settings.rate_limit_vote_per_ip = "100000/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_vote_per_account, settings.rate_limit_vote_per_ip = saved
    await rate_limit.reset()


async def test_fifty_concurrent_votes_by_one_account_leave_one_row(
    client: httpx.AsyncClient, high_limits: None
) -> None:
    final = await final_round(client, vote_weight_percent=20)
    await drawn(client, final)
    await _open(client, final)
    voter = final.members[0]
    answers = await asyncio.gather(*(_vote(client, final, voter, final.entries[i % 3]) for i in range(50)))  # type: ignore[misc]
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert await RoadshowVote.count() == 1


@pytest.fixture
async def low_limits() -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_vote_per_account, settings.rate_limit_vote_per_ip
    settings.rate_limit_vote_per_account, settings.rate_limit_vote_per_ip = "3/minute", "5/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_vote_per_account, settings.rate_limit_vote_per_ip = saved
    await rate_limit.reset()


async def test_votes_are_rate_limited_per_account_and_address(client: httpx.AsyncClient, low_limits: None) -> None:
    final = await final_round(client, vote_weight_percent=10)
    await drawn(client, final)
    await _open(client, final)
    voter = final.members[0]
    first = await _vote(client, final, voter, final.entries[0])  # type: ignore[misc]
    assert first.status_code == 201
    for _ in range(2):  # repeated attempts count too
        problem(await _vote(client, final, voter, final.entries[0]), 409, "already_voted")  # type: ignore[arg-type]
    limited = await _vote(client, final, voter, final.entries[0])  # type: ignore[misc]
    problem(limited, 429, "too_many_requests")
    assert int(limited.headers["retry-after"]) >= 1
    # The address's limit (5): two more accounts from the same address, then refused whoever asks.
    ok(await _vote(client, final, final.members[1], final.entries[0]), 201)  # type: ignore[arg-type]
    problem(await _vote(client, final, final.members[2], final.entries[0]), 429, "too_many_requests")  # type: ignore[arg-type]
    assert await RoadshowVote.count() == 2
