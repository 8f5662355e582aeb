"""The expert pool and conflicts of interest are scoped: each role against objects outside its scope.

Out of scope must answer exactly like a missing id (no existence oracle) and change nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.audit import AuditEntry
from app.reference import District
from scoring.tables import ConflictOfInterest, ExpertAffiliation, ExpertProfile
from tests import factories
from tests.factories.world import World, row_counts

MISSING = 2_000_000_000  # fits the integer columns, matches no row


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def same_answer(response: httpx.Response, reference: httpx.Response, *ids: int) -> None:
    """Same status and body as the reference (a missing id), apart from the request path and the ids named."""

    def normalised(r: httpx.Response) -> str:
        body = {k: v for k, v in r.json().items() if k != "instance"}
        text = repr(body)
        for i in (MISSING, *ids):  # the long one first: a short id may be part of its digits
            text = text.replace(str(i), "<id>")
        return text

    assert response.status_code == reference.status_code, response.text
    assert normalised(response) == normalised(reference)


async def conflict_with(client: httpx.AsyncClient, world: World, expert_id: int, organisation_id: int) -> int:
    body = {"expert_id": expert_id, "organisation_id": organisation_id, "reason": "曾任该组织理事"}
    return int(ok(await client.post("/conflicts", json=body, headers=world.city_officer.headers), 201)["id"])


async def test_conflicts_of_another_district_cannot_be_revoked(client: httpx.AsyncClient, world: World) -> None:
    # world.other_org_id is a pudong organisation; world.org_id a changning one.
    pudong_conflict = await conflict_with(client, world, world.other_expert.id, world.other_org_id)
    reason = {"reason": "已离任"}
    for role_user in (world.applicant, world.expert):
        refused = await client.post(f"/conflicts/{pudong_conflict}/revoke", json=reason, headers=role_user.headers)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    before = await row_counts()
    audit_rows = await AuditEntry.count()
    changning = world.changning_officer.headers
    missing = await client.post(f"/conflicts/{MISSING}/revoke", json=reason, headers=changning)
    assert missing.status_code == 404
    out_of_scope = await client.post(f"/conflicts/{pudong_conflict}/revoke", json=reason, headers=changning)
    same_answer(out_of_scope, missing, pudong_conflict)
    assert await row_counts() == before and await AuditEntry.count() == audit_rows
    live = await ConflictOfInterest.select(ConflictOfInterest.revoked_at).where(
        ConflictOfInterest.id == pudong_conflict
    )
    assert live == [{"revoked_at": None}]
    # The organisation's own district, city officers and admins may revoke.
    done = ok(
        await client.post(f"/conflicts/{pudong_conflict}/revoke", json=reason, headers=world.pudong_officer.headers)
    )
    assert done["revoked_at"] is not None
    for staff in (world.city_officer, world.admin):
        conflict_id = await conflict_with(client, world, world.expert.id, world.other_org_id)
        ok(await client.post(f"/conflicts/{conflict_id}/revoke", json=reason, headers=staff.headers))
    # Revoked twice reads as missing too.
    again = await client.post(f"/conflicts/{pudong_conflict}/revoke", json=reason, headers=world.pudong_officer.headers)
    same_answer(again, missing, pudong_conflict)


async def test_recording_a_conflict_is_no_organisation_existence_oracle(
    client: httpx.AsyncClient, world: World
) -> None:
    def body(organisation_id: int) -> dict[str, Any]:
        return {"expert_id": world.expert.id, "organisation_id": organisation_id, "reason": "亲属在该组织任职"}

    for role_user in (world.applicant, world.expert):
        refused = await client.post("/conflicts", json=body(world.org_id), headers=role_user.headers)
        assert refused.status_code == 403
    changning = world.changning_officer.headers
    before = await row_counts()
    missing = await client.post("/conflicts", json=body(MISSING), headers=changning)
    assert missing.status_code == 422 and missing.json()["code"] == "organisation_not_found"
    assert missing.json()["errors"][0]["field"] == "organisation_id"
    other_district = await client.post("/conflicts", json=body(world.other_org_id), headers=changning)
    same_answer(other_district, missing, world.other_org_id)
    assert await row_counts() == before
    # In scope: the officer's own district; city staff anywhere.
    ok(await client.post("/conflicts", json=body(world.org_id), headers=changning), 201)
    ok(await client.post("/conflicts", json=body(world.other_org_id), headers=world.city_officer.headers), 201)
    other = {**body(world.other_org_id), "expert_id": world.other_expert.id}
    ok(await client.post("/conflicts", json=other, headers=world.admin.headers), 201)


async def test_city_experts_are_kept_by_city_staff_only(client: httpx.AsyncClient, world: World) -> None:
    path = f"/experts/{world.expert.id}/profile"
    city_profile = {"domains": ["为老服务"], "affiliation_organisation_ids": [world.other_org_id]}
    ok(await client.put(path, json=city_profile, headers=world.city_officer.headers))
    for role_user in (world.applicant, world.expert):
        refused = await client.put(path, json={"domains": ["篡改"]}, headers=role_user.headers)
        assert refused.status_code == 403
    before = await row_counts()
    changning = world.changning_officer.headers
    rewrite = {"domains": ["篡改"], "affiliation_organisation_ids": []}
    missing = await client.put(f"/experts/{MISSING}/profile", json=rewrite, headers=changning)
    assert missing.status_code == 404
    not_an_expert = await client.put(f"/experts/{world.applicant.id}/profile", json=rewrite, headers=changning)
    same_answer(not_an_expert, missing, world.applicant.id)
    out_of_scope = await client.put(path, json=rewrite, headers=changning)
    same_answer(out_of_scope, missing, world.expert.id)
    assert await row_counts() == before
    profile = (
        await ExpertProfile.select(ExpertProfile.domains)
        .where(ExpertProfile.expert == world.expert.id)
        .output(load_json=True)
    )
    assert profile == [{"domains": ["为老服务"]}]
    assert [
        a["organisation"]
        for a in await ExpertAffiliation.select(ExpertAffiliation.organisation).where(
            ExpertAffiliation.expert == world.expert.id
        )
    ] == [world.other_org_id]
    # An expert who has no profile yet is a city expert too.
    fresh = await client.put(f"/experts/{world.other_expert.id}/profile", json=rewrite, headers=changning)
    same_answer(fresh, missing, world.other_expert.id)
    for staff in (world.city_officer, world.admin):
        ok(await client.put(path, json={"domains": ["社区治理"]}, headers=staff.headers))


async def test_district_experts_stay_in_their_district(client: httpx.AsyncClient, world: World) -> None:
    path = f"/experts/{world.other_expert.id}/profile"
    # City staff make the expert a pudong expert, affiliated with a changning organisation.
    city = world.city_officer.headers
    ok(
        await client.put(
            path, json={"district": "pudong", "affiliation_organisation_ids": [world.org_id]}, headers=city
        )
    )
    pudong, changning = world.pudong_officer.headers, world.changning_officer.headers
    missing = await client.put(f"/experts/{MISSING}/profile", json={}, headers=changning)
    same_answer(
        await client.put(path, json={"district": "changning"}, headers=changning), missing, world.other_expert.id
    )

    before = await row_counts()
    moved = await client.put(path, json={"district": "changning"}, headers=pudong)
    assert moved.status_code == 403 and moved.json()["code"] == "scope_forbidden"
    # Affiliating with another district's organisation reads like a missing organisation.
    missing_org = await client.put(path, json={"affiliation_organisation_ids": [MISSING]}, headers=pudong)
    assert missing_org.status_code == 422 and missing_org.json()["code"] == "organisation_not_found"
    another_changning_org, _ = await factories.organisation(District.changning)
    before = await row_counts()
    other_org = await client.put(path, json={"affiliation_organisation_ids": [another_changning_org]}, headers=pudong)
    same_answer(other_org, missing_org, another_changning_org)
    assert await row_counts() == before

    # Omitting the district keeps the expert in pudong; the changning affiliation (not the officer's to see) stays.
    saved = ok(await client.put(path, json={"affiliation_organisation_ids": [world.other_org_id]}, headers=pudong))
    assert saved["district"] == "pudong"
    assert saved["affiliation_organisation_ids"] == sorted([world.org_id, world.other_org_id])
    # City staff may move the expert anywhere, back to city level too.
    assert ok(await client.put(path, json={"district": None}, headers=world.admin.headers))["district"] is None
    assert (await client.put(path, json={}, headers=pudong)).status_code == 404


async def test_concurrent_revokes_leave_one_revocation(client: httpx.AsyncClient, world: World) -> None:
    conflict_id = await conflict_with(client, world, world.other_expert.id, world.other_org_id)
    path, headers = f"/conflicts/{conflict_id}/revoke", world.pudong_officer.headers
    answers = await asyncio.gather(*(client.post(path, json={"reason": "已离任"}, headers=headers) for _ in range(50)))
    assert sorted(r.status_code for r in answers) == [200] + [404] * 49
    assert await AuditEntry.count().where(AuditEntry.action == "conflict.revoke") == 1
