"""区级推荐 under concurrency: the last place of a quota goes to exactly one of 50 recommendations, and 50 forwards at
once carry each recommended entry once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from app.auth.tables import Role
from app.reference import District
from programmes.recommendations.tables import Recommendation, RecommendationClosure
from programmes.tables import Application
from tests import factories
from tests.factories.applications import stored_files, submitted
from tests.factories.http import ok
from tests.factories.recommendation import RecommendationWorld, end_window, recommend, set_quota, stage_rounds

CONCURRENCY = 50


async def test_50_concurrent_recommendations_for_the_last_place_leave_exactly_one(client: httpx.AsyncClient) -> None:
    city = await factories.user(Role.officer)
    changning = await factories.user(Role.officer, District.changning)
    round_id, _ = await stage_rounds(city, allow_multiple_entries=True)
    org, member = await factories.organisation(District.changning)
    entries = [(await submitted(client, member, org, round_id, title=f"项目{n}"))["id"] for n in range(CONCURRENCY + 1)]
    ok(await set_quota(client, city, round_id, "changning", 2))
    ok(await recommend(client, changning, round_id, entries[0]), 201)

    responses = await asyncio.gather(*[recommend(client, changning, round_id, e) for e in entries[1:]])

    assert Counter(r.status_code for r in responses) == {201: 1, 409: CONCURRENCY - 1}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"district_quota_full"}
    assert await Recommendation.count().where(Recommendation.round == round_id) == 2


async def test_50_concurrent_forwards_carry_each_entry_once(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 2))
    for entry in stages.changning_entries:
        ok(await recommend(client, stages.changning, stages.round_id, entry), 201)
    await end_window(stages.round_id)
    path = f"/rounds/{stages.round_id}/recommendations/forward"
    officers = [stages.city.headers, stages.admin.headers]
    files_before = len(stored_files())

    responses = await asyncio.gather(*[client.post(path, headers=officers[n % 2]) for n in range(CONCURRENCY)])

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    assert Counter(r.json()["already_forwarded"] for r in responses) == {False: 1, True: CONCURRENCY - 1}
    assert {(r.json()["advanced"], r.json()["not_advanced"]) for r in responses} == {(2, 1)}
    assert await RecommendationClosure.count() == 1
    for entry in stages.changning_entries:
        assert await Application.count().where(Application.carried_from == entry) == 1
    assert await Application.count().where(Application.round == stages.next_round_id) == 2
    assert len(stored_files()) == files_before + 1  # one copy of the one PDF; the losers' copies were discarded
