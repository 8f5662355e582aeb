"""Service offers: every state and role, scope, bad input, versioning after approval, the registration link, the
computed track record, and concurrent edits of one approved offer."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.notifications import Notification
from app.organisations.tables import OrganisationType
from app.reference import District
from programmes.matching.tables import OfferVersion, ServiceOffer
from tests import factories
from tests.factories import matching
from tests.factories.http import ok, problem, refused
from tests.factories.matching_offers import approved_registration, order, tags
from tests.factories.world import World

INVALID = "transition_invalid_state"
OFFERS = "/matching/offers"


def body(org_id: int, **values: Any) -> dict[str, Any]:
    return {
        "organisation_id": org_id,
        "field": "governance",
        "tags": ["elderly"],
        "title": "银龄数字课堂",
        "description": "志愿者一对一辅导老年人使用智能手机。",
        "districts_served": ["changning"],
        "capacity": 3,
        "delivery_days": 30,
        **values,
    }


def content(**values: Any) -> dict[str, Any]:
    fields = body(0, **values)
    del fields["organisation_id"]
    return fields


async def test_offer_lifecycle_roles_and_scope(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly", "digital")
    created = ok(await client.post(OFFERS, json=body(world.org_id), headers=world.applicant.headers), 201)
    offer_id = created["id"]
    assert created["status"] == "draft" and created["version"] == 1 and created["free_of_charge"]
    assert created["track_record"] == {"delivered": 0, "evaluated": 0, "average_rating": None, "on_time_share": None}
    row = await ServiceOffer.select().where(ServiceOffer.id == offer_id).first()
    assert row is not None and row["scope_district"] == "changning" and row["created_by"] == world.applicant.id

    path = f"{OFFERS}/{offer_id}"
    # Who sees it: its organisation and staff in scope; others get the uniform 404; other roles 403.
    for headers in (world.applicant.headers, world.changning_officer.headers, world.city_officer.headers):
        assert ok(await client.get(path, headers=headers))["id"] == offer_id
    for headers in (world.other_applicant.headers, world.pudong_officer.headers):
        problem(await client.get(path, headers=headers), 404, "not_found")
    assert (await client.get(path, headers=world.expert.headers)).status_code == 403
    assert (await client.get(path, headers=world.community.headers)).status_code == 403
    problem(
        await client.post(OFFERS, json=body(world.org_id), headers=world.other_applicant.headers),
        404,
        "not_found",
    )

    # Staff cannot act on a draft; another organisation cannot submit it.
    problem(
        await client.post(f"{path}/approve", headers=world.changning_officer.headers), 409, "transition_invalid_state"
    )
    problem(await client.post(f"{path}/submit", headers=world.other_applicant.headers), 404, "not_found")
    assert (await client.post(f"{path}/submit", headers=world.changning_officer.headers)).status_code == 403
    assert ok(await client.post(f"{path}/submit", headers=world.applicant.headers))["status"] == "submitted"

    # Moderation: out of scope is 404, a reason is required, rejection notifies the organisation.
    problem(await client.post(f"{path}/approve", headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(f"{path}/approve", headers=world.applicant.headers)).status_code == 403
    refused(
        await client.post(f"{path}/reject", json={}, headers=world.changning_officer.headers), 422, "missing", "reason"
    )
    rejected = ok(
        await client.post(
            f"{path}/reject", json={"reason": "服务描述过于简略"}, headers=world.changning_officer.headers
        )
    )
    assert rejected["status"] == "rejected" and rejected["decision_reason"] == "服务描述过于简略"
    assert await Notification.exists().where(
        (Notification.user == world.applicant.id) & (Notification.kind == "service_offer_reject")
    )
    edited = ok(await client.patch(path, json=content(description="更详细的描述"), headers=world.applicant.headers))
    assert edited["version"] == 1  # not yet approved: no version
    assert ok(await client.post(f"{path}/revise", headers=world.applicant.headers))["status"] == "draft"
    ok(await client.post(f"{path}/submit", headers=world.applicant.headers))
    approved = ok(await client.post(f"{path}/approve", headers=world.changning_officer.headers))
    assert approved["status"] == "approved" and approved["approved_at"] is not None

    # Suspend (reason) and resume; withdraw ends it and nothing edits it any more.
    refused(
        await client.post(f"{path}/suspend", json={"reason": "x"}, headers=world.changning_officer.headers),
        422,
        "string_too_short",
    )
    suspended = ok(
        await client.post(f"{path}/suspend", json={"reason": "投诉核查中"}, headers=world.city_officer.headers)
    )
    assert suspended["status"] == "suspended"
    problem(await client.patch(path, json=content(), headers=world.applicant.headers), 409, "offer_not_editable")
    assert ok(await client.post(f"{path}/resume", headers=world.changning_officer.headers))["status"] == "approved"
    assert ok(await client.post(f"{path}/withdraw", headers=world.applicant.headers))["status"] == "withdrawn"
    problem(await client.patch(path, json=content(), headers=world.applicant.headers), 409, "offer_not_editable")
    problem(
        await client.post(f"{path}/resume", headers=world.changning_officer.headers), 409, "transition_invalid_state"
    )

    # Lists: own organisation / staff in scope, with the status filter and paging headers.
    listed = await client.get(OFFERS, params={"status": "withdrawn"}, headers=world.changning_officer.headers)
    assert [o["id"] for o in ok(listed)] == [offer_id] and listed.headers["X-Total-Count"] == "1"
    assert ok(await client.get(OFFERS, headers=world.pudong_officer.headers)) == []
    assert ok(await client.get(OFFERS, headers=world.other_applicant.headers)) == []
    assert [o["id"] for o in ok(await client.get(OFFERS, headers=world.applicant.headers))] == [offer_id]


async def test_editing_an_approved_offer_keeps_a_version(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly", "digital")
    offer_id = await matching.offer(world.org_id)
    path = f"{OFFERS}/{offer_id}"
    first = ok(
        await client.patch(path, json=content(capacity=5, tags=["elderly", "digital"]), headers=world.applicant.headers)
    )
    assert first["version"] == 2 and first["capacity"] == 5 and first["status"] == "approved"
    second = ok(
        await client.patch(path, json=content(city_wide=True, districts_served=[]), headers=world.applicant.headers)
    )
    assert second["version"] == 3 and second["city_wide"] and second["districts_served"] == []
    history = ok(await client.get(f"{path}/versions", headers=world.changning_officer.headers))
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["snapshot"]["capacity"] == 2 and history[0]["snapshot"]["tags"] == ["elderly"]
    assert history[1]["snapshot"]["capacity"] == 5
    first_page = await client.get(f"{path}/versions", params={"limit": 1}, headers=world.applicant.headers)
    assert [v["version"] for v in ok(first_page)] == [1] and first_page.headers["X-Total-Count"] == "2"
    problem(await client.get(f"{path}/versions", headers=world.other_applicant.headers), 404, "not_found")

    # Capacity cannot drop below the orders it already holds (the lock on the offer row orders this with 接单).
    community_id, _ = await matching.community(District.changning)
    for _ in range(2):
        await order(await matching.demand(community_id), offer_id, world.org_id, status="accepted")
    refused(
        await client.patch(path, json=content(capacity=1), headers=world.applicant.headers),
        422,
        "capacity_below_held",
        "capacity",
    )
    assert ok(await client.patch(path, json=content(capacity=2), headers=world.applicant.headers))["version"] == 4


async def test_bad_input_names_the_field(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly")
    await tags("retired", active=False)
    headers = world.applicant.headers
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"tags": ["elderly", "nosuch"]}, "tag_unknown", "tags"),
        ({"tags": ["retired"]}, "tag_inactive", "tags"),
        ({"tags": ["elderly", "elderly"]}, "duplicate_tag", "tags"),
        ({"districts_served": [], "city_wide": False}, "no_area_served", "districts_served"),
        ({"price_min_fen": 50_000, "price_max_fen": 10_000}, "price_range_inverted", "price_min_fen"),
        ({"capacity": 0}, "greater_than_equal", "capacity"),
        ({"capacity": 1001}, "less_than_equal", "capacity"),
        ({"capacity": "3"}, "int_type", "capacity"),
        ({"price_min_fen": 12.5}, "int_type", "price_min_fen"),
        ({"field": "sports"}, "enum", "field"),
        ({"districts_served": ["atlantis"]}, "enum", "districts_served"),
        ({"title": "x"}, "string_too_short", "title"),
    ]
    for values, code, field in cases:
        response = await client.post(OFFERS, json=body(world.org_id, **values), headers=headers)
        refused(response, 422, code, field)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"]), response.text
    assert await ServiceOffer.count() == 0


async def test_a_custodian_acts_for_its_filed_group(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly")
    group_id, _ = await factories.organisation(
        District.changning, OrganisationType.filed_community_group, custodian_id=world.org_id
    )
    created = ok(await client.post(OFFERS, json=body(group_id), headers=world.applicant.headers), 201)
    assert created["organisation_id"] == group_id
    problem(await client.get(f"{OFFERS}/{created['id']}", headers=world.other_applicant.headers), 404, "not_found")


async def test_an_offer_from_an_approved_registration(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly")
    registration = await approved_registration(
        world.city_officer, world.org_id, field="governance", tags=["elderly"], description="为老服务"
    )
    prefill = ok(await client.get(f"{OFFERS}/prefill/{registration}", headers=world.applicant.headers))
    assert prefill == {
        "registration_id": registration,
        "organisation_id": world.org_id,
        "title": "银龄数字课堂（登记）",
        "field": "governance",
        "tags": ["elderly"],
        "description": "为老服务",
    }
    problem(
        await client.get(f"{OFFERS}/prefill/{registration}", headers=world.other_applicant.headers),
        404,
        "not_found",
    )
    created = ok(
        await client.post(
            OFFERS, json=body(world.org_id, registration_id=registration), headers=world.applicant.headers
        ),
        201,
    )
    assert created["registration_id"] == registration
    other = await approved_registration(world.city_officer, world.other_org_id)
    refused(
        await client.post(OFFERS, json=body(world.org_id, registration_id=other), headers=world.applicant.headers),
        422,
        "registration_not_found",
        "registration_id",
    )
    contest_app = world.submitted_id  # a contest application: not a 聚力计划 registration
    refused(
        await client.post(
            OFFERS, json=body(world.org_id, registration_id=contest_app), headers=world.applicant.headers
        ),
        422,
        "registration_not_found",
        "registration_id",
    )


async def test_track_record_is_computed_from_orders_and_evaluations(client: httpx.AsyncClient, world: World) -> None:
    community_id, _ = await matching.community(District.changning)
    offer_id = await matching.offer(world.org_id)
    demands = [await matching.demand(community_id) for _ in range(4)]
    await order(demands[0], offer_id, world.org_id, status="evaluated", delivered_days_after_end=-3, overall=5)
    await order(demands[1], offer_id, world.org_id, status="evaluated", delivered_days_after_end=0, overall=4)
    await order(demands[2], offer_id, world.org_id, status="delivered", delivered_days_after_end=10)
    await order(demands[3], offer_id, world.org_id, status="in_delivery")  # not delivered: not counted
    record = ok(await client.get(f"{OFFERS}/{offer_id}", headers=world.applicant.headers))["track_record"]
    assert record == {"delivered": 3, "evaluated": 2, "average_rating": 4.5, "on_time_share": 0.67}


async def test_fifty_concurrent_edits_each_keep_one_version(client: httpx.AsyncClient, world: World) -> None:
    await tags("elderly")
    offer_id = await matching.offer(world.org_id)
    responses = await asyncio.gather(
        *(
            client.patch(f"{OFFERS}/{offer_id}", json=content(capacity=n + 1), headers=world.applicant.headers)
            for n in range(50)
        )
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200][:3]
    versions = await OfferVersion.select(OfferVersion.version).where(OfferVersion.offer == offer_id)
    assert sorted(v["version"] for v in versions) == list(range(1, 51))
    row = await ServiceOffer.select(ServiceOffer.version).where(ServiceOffer.id == offer_id).first()
    assert row is not None and row["version"] == 51


async def test_an_offer_with_live_orders_cannot_be_withdrawn(client: httpx.AsyncClient, world: World) -> None:
    community_id, _ = await matching.community()
    offer_id = await matching.offer(world.org_id)
    order_id = await order(await matching.demand(community_id), offer_id, world.org_id, status="in_delivery")
    path = f"{OFFERS}/{offer_id}/withdraw"
    body = problem(await client.post(path, headers=world.applicant.headers), 409, "offer_has_live_orders")
    assert "1 个未完成的订单" in body["detail"]
    assert (await ServiceOffer.select(ServiceOffer.status).where(ServiceOffer.id == offer_id).first()) == {
        "status": "approved"
    }
    # Once the order is delivered the offer may go.
    from programmes.matching.tables import MatchOrder

    await MatchOrder.update({MatchOrder.status: "delivered"}).where(MatchOrder.id == order_id)
    assert ok(await client.post(path, headers=world.applicant.headers))["status"] == "withdrawn"
