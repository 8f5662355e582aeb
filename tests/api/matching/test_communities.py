"""聚力计划 communities: officers in scope create communities and their accounts or invite people with a one-time
code; community accounts see only their own community; city officers curate the tag vocabulary."""

from __future__ import annotations

import asyncio

import httpx

from programmes.matching.tables import CommunityInvitation, CommunityMember, MatchingTag
from tests.factories.http import assert_problem, ok, problem, refused
from tests.factories.matching_demand import DemandWorld

STREET = {"name": "华阳路街道办事处", "level": "street", "district": "changning", "street": "华阳路街道"}


async def test_officer_in_scope_creates_a_community(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    created = ok(await client.post("/matching/communities", json=STREET, headers=w.changning_officer.headers), 201)
    assert created["district"] == "changning" and created["members"] == 0
    other = {**STREET, "district": "pudong"}
    refused(
        await client.post("/matching/communities", json=other, headers=w.changning_officer.headers),
        403,
        "community_out_of_scope",
        "district",
    )
    ok(await client.post("/matching/communities", json=other, headers=w.city_officer.headers), 201)
    for who in (w.community, w.applicant):
        assert (await client.post("/matching/communities", json=STREET, headers=who.headers)).status_code == 403
    body = assert_problem(
        await client.post("/matching/communities", json={**STREET, "level": "county"}, headers=w.city_officer.headers),
        422,
    )
    assert body["errors"][0]["field"] == "level"


async def test_scope_of_community_lists_and_reads(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    mine = f"/matching/communities/{w.community_id}"
    theirs = f"/matching/communities/{w.other_community_id}"
    city = await client.get("/matching/communities", headers=w.city_officer.headers)
    assert city.headers["X-Total-Count"] == "2"
    changning = ok(await client.get("/matching/communities", headers=w.changning_officer.headers))
    assert [c["id"] for c in changning] == [w.community_id]
    own = ok(await client.get("/matching/communities", headers=w.community.headers))
    assert [c["id"] for c in own] == [w.community_id]
    assert ok(await client.get("/matching/communities/mine", headers=w.community.headers))["id"] == w.community_id
    ok(await client.get(mine, headers=w.community.headers))
    ok(await client.get(mine, headers=w.changning_officer.headers))
    problem(await client.get(theirs, headers=w.community.headers), 404, "not_found")
    problem(await client.get(theirs, headers=w.changning_officer.headers), 404, "not_found")
    assert (await client.get(mine, headers=w.applicant.headers)).status_code == 403
    assert (await client.get(mine)).status_code == 401


async def test_officer_opens_an_account_that_signs_in_to_its_community(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    body = {"username": "hyl-wang", "password": "a-long-secret", "display_name": "王主任", "mobile": "13800138000"}
    url = f"/matching/communities/{w.community_id}/accounts"
    problem(
        await client.post(
            f"/matching/communities/{w.other_community_id}/accounts", json=body, headers=w.changning_officer.headers
        ),
        404,
        "not_found",
    )
    account = ok(await client.post(url, json=body, headers=w.changning_officer.headers), 201)
    assert account["community_id"] == w.community_id
    problem(await client.post(url, json=body, headers=w.changning_officer.headers), 409, "username_taken")
    bad_mobile = assert_problem(
        await client.post(url, json={**body, "username": "x-2", "mobile": "12345"}, headers=w.city_officer.headers), 422
    )
    assert bad_mobile["errors"][0]["field"] == "mobile"
    tokens = ok(await client.post("/auth/login", json={"username": "hyl-wang", "password": "a-long-secret"}))
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert ok(await client.get("/matching/communities/mine", headers=headers))["id"] == w.community_id
    accounts = await client.get(url, headers=w.community.headers)
    assert accounts.headers["X-Total-Count"] == "2"
    problem(
        await client.get(f"/matching/communities/{w.other_community_id}/accounts", headers=headers), 404, "not_found"
    )


async def test_invitation_code_opens_one_account_once(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    url = f"/matching/communities/{w.community_id}/invitations"
    refused(
        await client.post(url, json={"display_name": "李"}, headers=w.changning_officer.headers),
        422,
        "invitation_contact_required",
        "email",
    )
    problem(await client.post(url, json={"mobile": "13900001111"}, headers=w.pudong_officer.headers), 404, "not_found")
    invitation = ok(
        await client.post(
            url, json={"email": "li@example.cn", "display_name": "李老师"}, headers=w.changning_officer.headers
        ),
        201,
    )
    code = invitation["code"]
    stored = await CommunityInvitation.select(CommunityInvitation.token_hash).first()
    assert stored is not None and code not in stored["token_hash"]  # only the hash is kept
    accept = {"code": code, "username": "li-teacher", "password": "a-long-secret"}
    account = ok(await client.post("/matching/community-invitations/accept", json=accept), 201)
    assert account["community_id"] == w.community_id and account["display_name"] == "李老师"
    refused(
        await client.post("/matching/community-invitations/accept", json={**accept, "username": "li-2"}),
        422,
        "invitation_invalid",
        "code",
    )
    await CommunityInvitation.update({CommunityInvitation.expires_at: CommunityInvitation.created_at}).where(
        CommunityInvitation.id > 0
    )
    second = ok(await client.post(url, json={"mobile": "13900001111"}, headers=w.city_officer.headers), 201)
    await CommunityInvitation.update({CommunityInvitation.expires_at: CommunityInvitation.created_at}).where(
        CommunityInvitation.id == second["id"]
    )
    refused(
        await client.post(
            "/matching/community-invitations/accept", json={**accept, "code": second["code"], "username": "li-3"}
        ),
        422,
        "invitation_invalid",
        "code",
    )


async def test_concurrent_uses_of_one_code_open_exactly_one_account(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    url = f"/matching/communities/{w.community_id}/invitations"
    code = ok(await client.post(url, json={"mobile": "13900002222"}, headers=w.city_officer.headers), 201)["code"]
    before = await CommunityMember.count()
    answers = await asyncio.gather(
        *(
            client.post(
                "/matching/community-invitations/accept",
                json={"code": code, "username": f"racer-{n}", "password": "a-long-secret"},
            )
            for n in range(50)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [422] * 49
    assert await CommunityMember.count() == before + 1


async def test_city_officers_curate_the_tag_vocabulary(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    public = ok(await client.get("/matching/tags"))
    assert "community_org" in {t["code"] for t in public} and "retired" not in {t["code"] for t in public}
    everything = ok(await client.get("/matching/tags", params={"include_inactive": "true"}))
    assert "retired" in {t["code"] for t in everything}
    problem(
        await client.post(
            "/matching/tags", json={"code": "youth", "label_zh": "青少年"}, headers=w.changning_officer.headers
        ),
        403,
        "tags_city_staff_only",
    )
    tag = ok(
        await client.post(
            "/matching/tags", json={"code": "youth", "label_zh": "青少年"}, headers=w.city_officer.headers
        ),
        201,
    )
    problem(
        await client.post(
            "/matching/tags", json={"code": "youth", "label_zh": "又一个"}, headers=w.city_officer.headers
        ),
        409,
        "tag_code_taken",
    )
    bad = assert_problem(
        await client.post("/matching/tags", json={"code": "Bad Code", "label_zh": "x"}, headers=w.city_officer.headers),
        422,
    )
    assert bad["errors"][0]["field"] == "code"
    renamed = ok(
        await client.patch(
            f"/matching/tags/{tag['id']}", json={"label_zh": "青少年服务"}, headers=w.city_officer.headers
        )
    )
    assert renamed["label_zh"] == "青少年服务"
    off = ok(await client.patch(f"/matching/tags/{tag['id']}", json={"active": False}, headers=w.city_officer.headers))
    assert off["active"] is False
    problem(
        await client.patch("/matching/tags/999999", json={"active": True}, headers=w.city_officer.headers),
        404,
        "not_found",
    )
    assert (
        await client.post("/matching/tags", json={"code": "a1", "label_zh": "x"}, headers=w.community.headers)
    ).status_code == 403
    assert await MatchingTag.count() == len(everything) + 1
