"""Applications to a demand (申请承接) through the API: apply with an approved offer, one pending per organisation
(also under 50 concurrent requests), the community chooses (a matched order for the organisation to accept) and
the others are passed over, withdraw; bad input by field; other parties 404."""

from __future__ import annotations

import asyncio

import httpx

from app.reference import District
from programmes.matching.tables import DemandBid, MatchOrder
from tests.factories import User
from tests.factories import matching as builders
from tests.factories.http import ok, problem, refused
from tests.factories.world import World


async def published_demand(district: District = District.changning, **values: object) -> tuple[int, int, User]:
    community_id, account = await builders.community(district)
    return community_id, await builders.demand(community_id, **values), account


async def test_apply_choose_accept_and_the_others_are_passed_over(client: httpx.AsyncClient, world: World) -> None:
    _, demand_id, community = await published_demand(cross_district=True)
    mine = await builders.offer(world.org_id)
    theirs = await builders.offer(world.other_org_id, districts_served=["changning"])
    url = f"/matching/demands/{demand_id}/bids"

    bid = ok(
        await client.post(url, json={"offer_id": mine, "message": "我们做过"}, headers=world.applicant.headers), 201
    )
    rival = ok(await client.post(url, json={"offer_id": theirs}, headers=world.other_applicant.headers), 201)
    assert bid["status"] == "pending" and bid["status_zh"] == "待社区选择"
    listed = ok(await client.get(url, headers=community.headers))
    assert [b["id"] for b in listed] == [bid["id"], rival["id"]]

    chosen = ok(await client.post(f"/matching/bids/{bid['id']}/choose", headers=community.headers))
    assert chosen["status"] == "chosen" and chosen["order_id"]
    passed = ok(await client.get(url, headers=world.changning_officer.headers))
    assert [b["status"] for b in passed] == ["chosen", "not_chosen"]
    order = ok(await client.post(f"/matching/orders/{chosen['order_id']}/accept", headers=world.applicant.headers))
    assert order["status"] == "accepted" and order["offer_id"] == mine
    problem(
        await client.post(f"/matching/bids/{rival['id']}/withdraw", headers=world.other_applicant.headers),
        409,
        "transition_invalid_state",
    )


async def test_one_pending_application_per_organisation_under_fifty_requests(
    client: httpx.AsyncClient, world: World
) -> None:
    _, demand_id, _ = await published_demand()
    offer_id = await builders.offer(world.org_id)
    url = f"/matching/demands/{demand_id}/bids"

    responses = await asyncio.gather(
        *[client.post(url, json={"offer_id": offer_id}, headers=world.applicant.headers) for _ in range(50)]
    )

    assert sum(r.status_code == 201 for r in responses) == 1
    for response in responses:
        if response.status_code != 201:
            problem(response, 409, "bid_pending")
    assert await DemandBid.count().where(DemandBid.demand == demand_id) == 1
    # Withdrawn, it may apply again.
    bid = await DemandBid.select(DemandBid.id).first()
    assert bid is not None
    ok(await client.post(f"/matching/bids/{bid['id']}/withdraw", headers=world.applicant.headers))
    ok(await client.post(url, json={"offer_id": offer_id}, headers=world.applicant.headers), 201)


async def test_bad_applications_name_the_offer(client: httpx.AsyncClient, world: World) -> None:
    _, demand_id, _ = await published_demand()
    url = f"/matching/demands/{demand_id}/bids"
    org = world.applicant.headers
    draft_offer = await builders.offer(world.org_id, status="draft")
    foreign_offer = await builders.offer(world.other_org_id)
    pudong_only = await builders.offer(world.other_org_id, districts_served=["pudong"])

    refused(await client.post(url, json={"offer_id": draft_offer}, headers=org), 422, "offer_not_approved", "offer_id")
    refused(await client.post(url, json={"offer_id": foreign_offer}, headers=org), 422, "offer_not_found", "offer_id")
    refused(await client.post(url, json={"offer_id": "1"}, headers=org), 422, "int_type", "offer_id")
    refused(await client.post(url, json={}, headers=org), 422, "missing", "offer_id")
    other = world.other_applicant.headers
    refused(await client.post(url, json={"offer_id": pudong_only}, headers=other), 422, "offer_out_of_area", "offer_id")
    assert await DemandBid.count() == 0


async def test_unpublished_or_taken_demands(client: httpx.AsyncClient, world: World) -> None:
    offer_id = await builders.offer(world.org_id)
    _, draft, _ = await published_demand(status="draft")
    _, taken, _ = await published_demand(status="matched")
    org = world.applicant.headers
    problem(
        await client.post(f"/matching/demands/{draft}/bids", json={"offer_id": offer_id}, headers=org), 404, "not_found"
    )
    problem(
        await client.post(f"/matching/demands/{taken}/bids", json={"offer_id": offer_id}, headers=org),
        409,
        "demand_not_takeable",
    )


async def test_only_the_demands_community_chooses(client: httpx.AsyncClient, world: World) -> None:
    _, demand_id, community = await published_demand()
    offer_id = await builders.offer(world.org_id)
    bid = ok(
        await client.post(
            f"/matching/demands/{demand_id}/bids", json={"offer_id": offer_id}, headers=world.applicant.headers
        ),
        201,
    )
    _, other_community = await builders.community(District.changning)

    problem(await client.post(f"/matching/bids/{bid['id']}/choose", headers=other_community.headers), 404, "not_found")
    problem(await client.get(f"/matching/demands/{demand_id}/bids", headers=other_community.headers), 404, "not_found")
    problem(
        await client.get(f"/matching/demands/{demand_id}/bids", headers=world.pudong_officer.headers), 404, "not_found"
    )
    problem(
        await client.post(f"/matching/bids/{bid['id']}/withdraw", headers=world.other_applicant.headers),
        404,
        "not_found",
    )
    assert (await client.post(f"/matching/bids/{bid['id']}/choose", headers=world.applicant.headers)).status_code == 403
    assert ok(await client.get("/matching/bids", headers=world.other_applicant.headers)) == []
    assert [b["id"] for b in ok(await client.get("/matching/bids", headers=world.applicant.headers))] == [bid["id"]]
    assert await MatchOrder.count() == 0
    ok(await client.post(f"/matching/bids/{bid['id']}/choose", headers=community.headers))
    assert await MatchOrder.count().where(MatchOrder.status == "matched") == 1
