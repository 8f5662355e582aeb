"""Delivery and evaluation through the API: records while accepted or in delivery, the community's confirmation,
one evaluation (every aspect 1–5) and one response; bad input named by field; other parties 404."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.notifications.tables import Notification
from app.reference import District
from app.timezone import today_shanghai
from programmes.matching.tables import DeliveryRecord, OrderEvaluation
from tests.factories import matching as builders
from tests.factories.http import ok, problem, refused
from tests.factories.matching_orders import Pair, matched_pair
from tests.factories.world import World

RATINGS = {"quality": 5, "timeliness": 4, "communication": 5, "effect": 4}


def record(days_ago: int = 0, served: int = 30) -> dict[str, object]:
    day = today_shanghai() - timedelta(days=days_ago)
    return {"delivered_on": day.isoformat(), "activity": "智能手机课堂", "beneficiaries_served": served}


async def delivering(client: httpx.AsyncClient, world: World) -> Pair:
    pair = await matched_pair(world.org_id)
    ok(await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers))
    ok(await client.post(f"/matching/orders/{pair.order_id}/start-delivery", headers=world.applicant.headers))
    return pair


async def test_the_whole_path_from_delivery_to_response(client: httpx.AsyncClient, world: World) -> None:
    pair = await delivering(client, world)
    base = f"/matching/orders/{pair.order_id}"
    org, community = world.applicant.headers, pair.community.headers

    problem(await client.post(f"{base}/confirm-delivery", headers=community), 409, "delivery_unrecorded")
    ok(await client.post(f"{base}/delivery-records", json=record(1, 32), headers=org), 201)
    ok(await client.post(f"{base}/delivery-records", json=record(0, 18), headers=org), 201)
    listed = await client.get(f"{base}/delivery-records", headers=community)
    assert [r["beneficiaries_served"] for r in ok(listed)] == [32, 18] and listed.headers["X-Total-Count"] == "2"

    delivered = ok(await client.post(f"{base}/confirm-delivery", headers=community))
    assert delivered["status"] == "delivered" and delivered["beneficiaries_served"] == 50
    problem(await client.post(f"{base}/delivery-records", json=record(), headers=org), 409, "order_not_in_delivery")
    problem(
        await client.post(f"{base}/evaluation/response", json={"response": "谢谢"}, headers=org),
        409,
        "order_not_evaluated",
    )

    evaluated = ok(
        await client.post(f"{base}/evaluation", json={"ratings": RATINGS, "comment": "很好"}, headers=community)
    )
    # (5 + 4 + 5 + 4) / 4 = 4.5: rounded half up (四舍五入) to 5
    assert evaluated["status"] == "evaluated" and evaluated["evaluation"]["overall"] == 5
    assert evaluated["evaluation"]["ratings"] == RATINGS
    again = await client.post(f"{base}/evaluation", json={"ratings": RATINGS}, headers=community)
    problem(again, 409, "transition_invalid_state")
    assert await OrderEvaluation.count() == 1

    responded = ok(await client.post(f"{base}/evaluation/response", json={"response": "感谢支持"}, headers=org))
    assert responded["evaluation"]["response"] == "感谢支持" and responded["evaluation"]["responded_at"]
    titles = [
        n["title"] for n in await Notification.select(Notification.title).where(Notification.user == pair.community.id)
    ]
    assert titles.count("机构回应了评价") == 1
    problem(
        await client.post(f"{base}/evaluation/response", json={"response": "再说一次"}, headers=org),
        409,
        "evaluation_already_responded",
    )


async def test_records_only_while_accepted_or_in_delivery(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id)
    url = f"/matching/orders/{pair.order_id}/delivery-records"
    problem(await client.post(url, json=record(), headers=world.applicant.headers), 409, "order_not_in_delivery")
    ok(await client.post(f"/matching/orders/{pair.order_id}/accept", headers=world.applicant.headers))
    ok(await client.post(url, json=record(), headers=world.applicant.headers), 201)  # preparation counts too


async def test_bad_delivery_records_name_their_field(client: httpx.AsyncClient, world: World) -> None:
    pair = await delivering(client, world)
    url = f"/matching/orders/{pair.order_id}/delivery-records"
    org = world.applicant.headers
    tomorrow = (today_shanghai() + timedelta(days=1)).isoformat()

    refused(
        await client.post(url, json={**record(), "delivered_on": tomorrow}, headers=org),
        422,
        "delivery_date_out_of_range",
        "delivered_on",
    )
    refused(
        await client.post(url, json=record(days_ago=400), headers=org),
        422,
        "delivery_date_out_of_range",
        "delivered_on",
    )
    refused(
        await client.post(url, json={**record(), "beneficiaries_served": -1}, headers=org),
        422,
        "greater_than_equal",
        "beneficiaries_served",
    )
    refused(await client.post(url, json={**record(), "activity": ""}, headers=org), 422, "string_too_short", "activity")
    assert await DeliveryRecord.count() == 0


async def test_bad_ratings_name_the_aspect(client: httpx.AsyncClient, world: World) -> None:
    pair = await matched_pair(world.org_id, status="delivered")
    url = f"/matching/orders/{pair.order_id}/evaluation"
    community = pair.community.headers

    body = problem(
        await client.post(url, json={"ratings": {**RATINGS, "effect": 6}}, headers=community),
        422,
        "rating_out_of_range",
    )
    assert [e["field"] for e in body["errors"]] == ["ratings.effect"] and "1–5" in body["detail"]
    missing = {k: v for k, v in RATINGS.items() if k != "quality"}
    body = problem(await client.post(url, json={"ratings": missing}, headers=community), 422, "rating_missing")
    assert body["errors"][0]["field"] == "ratings.quality"
    body = problem(
        await client.post(url, json={"ratings": {**RATINGS, "price": 3}}, headers=community),
        422,
        "rating_unknown_aspect",
    )
    assert body["errors"][0]["field"] == "ratings.price"
    assert await OrderEvaluation.count() == 0


async def test_only_the_parties_reach_delivery(client: httpx.AsyncClient, world: World) -> None:
    pair = await delivering(client, world)
    ok(
        await client.post(
            f"/matching/orders/{pair.order_id}/delivery-records", json=record(), headers=world.applicant.headers
        ),
        201,
    )
    base = f"/matching/orders/{pair.order_id}"
    _, other_community = await builders.community(District.changning)

    problem(
        await client.post(f"{base}/delivery-records", json=record(), headers=world.other_applicant.headers),
        404,
        "not_found",
    )
    problem(await client.post(f"{base}/confirm-delivery", headers=other_community.headers), 404, "not_found")
    problem(await client.get(f"{base}/delivery-records", headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(f"{base}/confirm-delivery", headers=world.applicant.headers)).status_code == 403
    assert (await client.post(f"{base}/confirm-delivery", headers=world.city_officer.headers)).status_code == 403
    assert ok(await client.get(f"{base}/delivery-records", headers=world.changning_officer.headers))


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ" + b"\x00" * 64


async def test_delivery_files_are_checked_like_attachments(client: httpx.AsyncClient, world: World) -> None:
    pair = await delivering(client, world)
    base = f"/matching/orders/{pair.order_id}"
    org = world.applicant.headers
    record_id = ok(await client.post(f"{base}/delivery-records", json=record(), headers=org), 201)["id"]
    url = f"{base}/delivery-records/{record_id}/files"

    stored = ok(await client.post(url, files={"file": ("现场照片.png", PNG, "image/png")}, headers=org), 201)
    assert stored["content_type"] == "image/png" and stored["size_bytes"] == len(PNG)
    problem(
        await client.post(url, files={"file": ("照片.pdf", PNG, "application/pdf")}, headers=org),
        422,
        "attachment_type_mismatch",
    )
    problem(
        await client.post(url, files={"file": ("setup.exe", EXE, "application/octet-stream")}, headers=org),
        422,
        "attachment_type_not_allowed",
    )
    problem(
        await client.post(
            f"{base}/delivery-records/999999/files", files={"file": ("a.png", PNG, "image/png")}, headers=org
        ),
        404,
        "not_found",
    )
    problem(
        await client.post(url, files={"file": ("a.png", PNG, "image/png")}, headers=world.other_applicant.headers),
        404,
        "not_found",
    )

    listed = ok(await client.get(f"{base}/delivery-files", headers=pair.community.headers))
    assert [f["id"] for f in listed] == [stored["id"]]
    download = await client.get(f"/matching/delivery-files/{stored['id']}", headers=pair.community.headers)
    assert download.status_code == 200 and download.content == PNG
    problem(
        await client.get(f"/matching/delivery-files/{stored['id']}", headers=world.pudong_officer.headers),
        404,
        "not_found",
    )
    ok(await client.post(f"{base}/confirm-delivery", headers=pair.community.headers))
    problem(
        await client.post(url, files={"file": ("b.png", PNG, "image/png")}, headers=org), 409, "order_not_in_delivery"
    )
