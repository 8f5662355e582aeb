"""聚力计划 case library: promote an evaluated order, publish, withdraw, the public library without personal data,
replication by another community (its own district/street, linked by source_case) and the lineage."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.notifications import Notification
from app.reference import District
from programmes.matching.tables import Demand, MatchingCase
from tests import factories
from tests.factories import matching_cases as cases
from tests.factories.http import assert_problem, ok, refused
from tests.factories.matching import community, demand

pytestmark = pytest.mark.usefixtures("db")

BODY = {"title": "银龄数字课堂", "summary": "志愿者每周到社区辅导老人使用智能手机。", "outcomes": "培训 12 次"}


async def promoted(client: httpx.AsyncClient, world: dict[str, Any], officer: factories.User) -> dict[str, Any]:
    body = {**BODY, "order_id": world["order_id"]}
    return ok(await client.post("/matching/cases", json=body, headers=officer.headers), 201)  # type: ignore[no-any-return]


async def test_promote_publish_withdraw(client: httpx.AsyncClient) -> None:
    world = await cases.evaluated_order()
    officer = await cases.officer(District.changning)
    case = await promoted(client, world, officer)
    assert case["status"] == "draft" and case["beneficiaries"] == 42 and case["field"] == "governance"
    assert case["tags"] == ["elderly"] and case["district"] == "changning" and case["replications"] == 0
    # A draft is not in the library and not readable without staff scope.
    assert ok(await client.get("/matching/cases")) == []
    refused(await client.get(f"/matching/cases/{case['id']}"), 404, "not_found")
    assert ok(await client.get(f"/matching/cases/{case['id']}", headers=officer.headers))["status"] == "draft"

    early = await client.post(
        f"/matching/cases/{case['id']}/withdraw", json={"reason": "测试"}, headers=officer.headers
    )
    assert_problem(early, 409)  # a draft is not withdrawn, it is simply not published
    published = ok(await client.post(f"/matching/cases/{case['id']}/publish", headers=officer.headers))
    assert published["status"] == "published" and published["published_at"].endswith("+08:00")
    told = {r["user"] for r in await Notification.select(Notification.user).where(Notification.title.like("%案例库%"))}
    assert told == {world["member"].id, world["community"].id}
    listed = await client.get("/matching/cases")
    assert [c["id"] for c in ok(listed)] == [case["id"]] and listed.headers["X-Total-Count"] == "1"
    public = ok(await client.get(f"/matching/cases/{case['id']}"))
    assert "withdrawn_reason" not in public and "contact_phone" not in str(public)

    bad = await client.post(f"/matching/cases/{case['id']}/withdraw", json={"reason": ""}, headers=officer.headers)
    assert_problem(bad, 422)
    gone = ok(
        await client.post(
            f"/matching/cases/{case['id']}/withdraw", json={"reason": "信息更新"}, headers=officer.headers
        )
    )
    assert gone["status"] == "withdrawn" and gone["withdrawn_reason"] == "信息更新"
    assert ok(await client.get("/matching/cases")) == []
    # Withdrawn cannot be published again (the workflow has no such step).
    assert_problem(await client.post(f"/matching/cases/{case['id']}/publish", headers=officer.headers), 409)
    actions = {
        r["action"] for r in await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == case["id"])
    }
    assert "matching_case.promote" in actions


async def test_promote_needs_an_evaluated_order_in_scope(client: httpx.AsyncClient) -> None:
    world = await cases.evaluated_order()
    other_district = await cases.officer(District.xuhui)
    refused(
        await client.post(
            "/matching/cases", json={**BODY, "order_id": world["order_id"]}, headers=other_district.headers
        ),
        404,
        "not_found",
    )
    city = await cases.officer()
    delivered = await cases.order(
        world["demand_id"], await _offer(world["organisation_id"]), world["organisation_id"], status="delivered"
    )
    refused(
        await client.post("/matching/cases", json={**BODY, "order_id": delivered}, headers=city.headers),
        409,
        "order_not_evaluated",
        "order_id",
    )
    # Roles: community and organisation accounts may not promote.
    for user in (world["community"], world["member"]):
        assert (
            await client.post("/matching/cases", json={**BODY, "order_id": world["order_id"]}, headers=user.headers)
        ).status_code == 403
    # Unknown tag, foreign photo, missing title: the field is named.
    for extra, code, field in (
        ({"tags": ["no_such_tag"]}, "tag_unknown", "tags"),
        ({"photo_ids": [999]}, "photo_not_from_delivery", "photo_ids"),
        ({"title": ""}, "string_too_short", "title"),
        ({"order_id": "1"}, "int_type", "order_id"),
    ):
        answer = await client.post(
            "/matching/cases", json={**BODY, "order_id": world["order_id"], **extra}, headers=city.headers
        )
        body = assert_problem(answer, 422)
        assert any(e["field"] == field for e in body["errors"]), body
        assert body["code"] == code or any(e["code"] == code for e in body["errors"]), body


async def _offer(organisation_id: int) -> int:
    from tests.factories.matching import offer

    return await offer(organisation_id)


async def test_one_case_per_order_under_concurrency(client: httpx.AsyncClient) -> None:
    world = await cases.evaluated_order()
    officer = await cases.officer()
    body = {**BODY, "order_id": world["order_id"]}
    answers = await asyncio.gather(
        *(client.post("/matching/cases", json=body, headers=officer.headers) for _ in range(50))
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 49
    assert await MatchingCase.count().where(MatchingCase.order == world["order_id"]) == 1


async def test_library_filters_and_paging(client: httpx.AsyncClient) -> None:
    officer = await cases.officer()
    ids = []
    for district in (District.changning, District.xuhui, District.changning):
        world = await cases.evaluated_order(district)
        case = await promoted(client, world, officer)
        ok(await client.post(f"/matching/cases/{case['id']}/publish", headers=officer.headers))
        ids.append(case["id"])
    page = await client.get("/matching/cases?limit=2")
    assert [c["id"] for c in ok(page)] == [ids[2], ids[1]] and page.headers["X-Has-More"] == "true"
    assert [c["id"] for c in ok(await client.get("/matching/cases?district=xuhui"))] == [ids[1]]
    assert len(ok(await client.get("/matching/cases?field=governance&tag=elderly&text=数字"))) == 3
    assert ok(await client.get("/matching/cases?field=culture_sports")) == []
    assert (await client.get("/matching/cases?field=nonsense")).status_code in (400, 422)
    # Staff list: district officers see only their district's cases.
    xuhui = await cases.officer(District.xuhui)
    assert [c["id"] for c in ok(await client.get("/matching/staff/cases", headers=xuhui.headers))] == [ids[1]]


async def test_replicate_and_lineage(client: httpx.AsyncClient) -> None:
    world = await cases.evaluated_order(District.changning)
    officer = await cases.officer()
    case = await promoted(client, world, officer)
    # Only a published case can be replicated.
    other_community_id, other = await community(District.pudong, street="花木街道")
    refused(
        await client.post(f"/matching/cases/{case['id']}/replicate", json={}, headers=other.headers), 404, "not_found"
    )
    ok(await client.post(f"/matching/cases/{case['id']}/publish", headers=officer.headers))

    made = ok(await client.post(f"/matching/cases/{case['id']}/replicate", json={}, headers=other.headers), 201)
    assert made["source_case"] == case["id"] and made["status"] == "draft"
    assert (made["district"], made["street"]) == ("pudong", "花木街道")
    row = await Demand.select().where(Demand.id == made["id"]).first()
    assert row is not None and row["community"] == other_community_id and row["contact_phone"] == ""
    # Officers and organisations may not replicate; bad periods are refused with the field.
    for user in (officer, world["member"]):
        assert (
            await client.post(f"/matching/cases/{case['id']}/replicate", json={}, headers=user.headers)
        ).status_code == 403
    refused(
        await client.post(
            f"/matching/cases/{case['id']}/replicate",
            json={"period_start": "2030-05-01", "period_end": "2030-04-01"},
            headers=other.headers,
        ),
        422,
        "period_invalid",
        "period_end",
    )
    # Lineage: the public sees published replications only, staff all; orders of a replication are listed.
    lineage = ok(await client.get(f"/matching/cases/{case['id']}/lineage"))
    assert lineage["case"]["id"] == case["id"] and lineage["replications"] == []
    staff = ok(await client.get(f"/matching/cases/{case['id']}/lineage", headers=officer.headers))
    assert [d["id"] for d in staff["replications"]] == [made["id"]]
    await Demand.update({Demand.status: "published", Demand.published_at: Demand.created_at}).where(
        Demand.id == made["id"]
    )
    organisation_id, _ = await factories.organisation(District.pudong)
    taken = await cases.order(made["id"], await _offer(organisation_id), organisation_id, status="accepted")
    public = ok(await client.get(f"/matching/cases/{case['id']}/lineage"))
    assert [o["id"] for o in public["replications"][0]["orders"]] == [taken]
    assert ok(await client.get(f"/matching/cases/{case['id']}"))["replications"] == 1


async def test_community_of_another_district_sees_only_published(client: httpx.AsyncClient) -> None:
    world = await cases.evaluated_order()
    officer = await cases.officer()
    case = await promoted(client, world, officer)
    _, stranger = await community(District.xuhui)
    refused(await client.get(f"/matching/cases/{case['id']}", headers=stranger.headers), 404, "not_found")
    member = await factories.user(Role.applicant)
    refused(await client.get(f"/matching/cases/{case['id']}/lineage", headers=member.headers), 404, "not_found")
    assert await demand(world["community_id"]) > 0


async def test_photos_come_from_the_orders_delivery_images(client: httpx.AsyncClient) -> None:
    from app.timezone import now_utc
    from programmes.matching.tables import DeliveryRecord
    from programmes.matching.tables_delivery import DeliveryFile

    world = await cases.evaluated_order()
    other = await cases.evaluated_order()
    officer = await cases.officer()

    async def file_of(order_id: int, content_type: str) -> int:
        record = await DeliveryRecord.select(DeliveryRecord.id).where(DeliveryRecord.order == order_id).first()
        assert record is not None
        rows = await DeliveryFile.insert(
            DeliveryFile(
                record=record["id"], order=order_id, storage_key=f"test/{order_id}/{content_type}",
                filename="现场.png", content_type=content_type, size_bytes=10, sha256="0" * 64, created_at=now_utc(),
            )
        ).returning(DeliveryFile.id)  # fmt: skip
        return int(rows[0]["id"])

    photo = await file_of(world["order_id"], "image/png")
    document = await file_of(world["order_id"], "application/pdf")
    strangers = await file_of(other["order_id"], "image/jpeg")
    for wrong in (document, strangers):
        body = {**BODY, "order_id": world["order_id"], "photo_ids": [photo, wrong]}
        refused(
            await client.post("/matching/cases", json=body, headers=officer.headers),
            422,
            "photo_not_from_delivery",
            "photo_ids",
        )
    body = {**BODY, "order_id": world["order_id"], "photo_ids": [photo]}
    assert ok(await client.post("/matching/cases", json=body, headers=officer.headers), 201)["photo_ids"] == [photo]
