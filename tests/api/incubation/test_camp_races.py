"""Capacity races: many organisations registering for the last seat at once get exactly one seat between them
(the rest wait in line, in distinct places), and concurrent cancels of one seat promote exactly once."""

from __future__ import annotations

import asyncio

import httpx

from programmes.camps.tables import CampRegistration
from tests.factories.camps import CampWorld, open_camp, organisations, registration_body
from tests.factories.http import ok

CONCURRENCY = 50


async def test_50_concurrent_registrations_for_the_last_seat_give_it_to_exactly_one(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    camp = await open_camp(client, camp_world.changning_officer, capacity=1)
    people = await organisations(CONCURRENCY)
    url = f"/camps/{camp['id']}/registrations"

    responses = await asyncio.gather(
        *[client.post(url, json=registration_body(org_id), headers=member.headers) for org_id, member in people]
    )

    assert [r.status_code for r in responses] == [201] * CONCURRENCY
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["registered"] + ["waitlisted"] * (CONCURRENCY - 1)
    assert await CampRegistration.count().where(CampRegistration.status == "registered") == 1
    assert await CampRegistration.count() == CONCURRENCY
    numbers = await CampRegistration.select(CampRegistration.waitlist_position).where(
        CampRegistration.status == "waitlisted"
    )
    assert sorted(n["waitlist_position"] for n in numbers) == list(range(1, CONCURRENCY))


async def test_50_concurrent_registrations_of_one_organisation_make_one_row(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    camp = await open_camp(client, w.changning_officer, capacity=5)
    url = f"/camps/{camp['id']}/registrations"

    responses = await asyncio.gather(
        *[client.post(url, json=registration_body(w.org_id), headers=w.member.headers) for _ in range(CONCURRENCY)]
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (CONCURRENCY - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"camp_already_registered"}
    assert await CampRegistration.count() == 1


async def test_50_concurrent_cancels_of_one_seat_promote_once(client: httpx.AsyncClient, camp_world: CampWorld) -> None:
    w = camp_world
    camp = await open_camp(client, w.changning_officer, capacity=1)
    url = f"/camps/{camp['id']}/registrations"
    seat = ok(await client.post(url, json=registration_body(w.org_id), headers=w.member.headers), 201)
    for org_id, member in await organisations(3):
        ok(await client.post(url, json=registration_body(org_id), headers=member.headers), 201)
    cancel = f"/camps/registrations/{seat['id']}/cancel"
    staff = [w.member.headers, w.changning_officer.headers]

    responses = await asyncio.gather(
        *[client.post(cancel, json={"reason": "并发取消"}, headers=staff[n % 2]) for n in range(CONCURRENCY)]
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (CONCURRENCY - 1)
    assert await CampRegistration.count().where(CampRegistration.status == "registered") == 1
    assert await CampRegistration.count().where(CampRegistration.status == "waitlisted") == 2
    assert await CampRegistration.count().where(CampRegistration.status == "cancelled") == 1
    assert await CampRegistration.count().where(CampRegistration.promoted_at.is_not_null()) == 1


async def test_concurrent_cancels_of_many_seats_fill_each_once(
    client: httpx.AsyncClient, camp_world: CampWorld
) -> None:
    w = camp_world
    seats = 25
    camp = await open_camp(client, w.changning_officer, capacity=seats)
    url = f"/camps/{camp['id']}/registrations"
    people = await organisations(CONCURRENCY)
    made = [ok(await client.post(url, json=registration_body(o), headers=m.headers), 201) for o, m in people]
    holders = [(r, m) for r, (_, m) in zip(made, people, strict=True) if r["status"] == "registered"]
    assert len(holders) == seats

    responses = await asyncio.gather(
        *[client.post(f"/camps/registrations/{r['id']}/cancel", json={}, headers=m.headers) for r, m in holders]
    )

    assert {r.status_code for r in responses} == {200}
    assert await CampRegistration.count().where(CampRegistration.status == "registered") == seats
    assert await CampRegistration.count().where(CampRegistration.status == "waitlisted") == 0
    assert await CampRegistration.count().where(CampRegistration.promoted_at.is_not_null()) == seats
