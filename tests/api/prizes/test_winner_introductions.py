"""Winners read their own resource introductions (GET /my/resource-introductions): the offer with its partner, the
status of the follow-up and its notes — only their own organisations' rows; staff use the officers' list."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories.http import ok
from tests.factories.prizes import offer_body, winners

MINE = "/my/resource-introductions"


async def test_a_winner_lists_its_introductions_with_offer_partner_status_and_notes(client: httpx.AsyncClient) -> None:
    final, prizes = await winners(client)
    officer = final.officer.headers
    partner = ok(
        await client.post(
            "/resource-partners", json={"name": "上海某公益基金会", "kind": "foundation"}, headers=officer
        ),
        201,
    )
    offer = ok(await client.post(f"/resource-partners/{partner['id']}/offers", json=offer_body(), headers=officer), 201)
    winner, other = prizes
    made = ok(
        await client.post(
            f"/resource-offers/{offer['id']}/introductions",
            json={"prize_id": winner["id"], "note": "已电话介绍"},
            headers=officer,
        ),
        201,
    )
    member = final.members[winner["application_id"]]
    [seen] = ok(await client.get(MINE, headers=member.headers))
    assert seen["id"] == made["id"] and seen["prize_id"] == winner["id"] and seen["tier_name"] == "优秀奖"
    assert seen["offer"]["title"] == "社区活动室免费使用" and seen["offer"]["kind"] == "venue"
    assert seen["offer"]["partner_name"] == "上海某公益基金会" and seen["offer"]["partner_kind"] == "foundation"
    assert seen["status"] == "introduced" and [n["note"] for n in seen["notes"]] == ["已电话介绍"]
    assert seen["organisation_id"] == final.orgs[winner["application_id"]]

    # The follow-up shows; the status filter narrows the list.
    ok(await client.post(f"/resource-introductions/{made['id']}/contact", json={"note": "双方已通话"}, headers=officer))
    [after] = ok(await client.get(MINE, headers=member.headers))
    assert after["status"] == "contacted" and [n["action"] for n in after["notes"]] == ["introduce", "contact"]
    assert ok(await client.get(f"{MINE}?status=introduced", headers=member.headers)) == []
    assert len(ok(await client.get(f"{MINE}?status=contacted", headers=member.headers))) == 1
    assert (await client.get(f"{MINE}?status=nonsense", headers=member.headers)).status_code == 422

    # Another winner, a non-winning applicant and an outsider see none of it.
    assert ok(await client.get(MINE, headers=final.members[other["application_id"]].headers)) == []
    loser = final.members[final.apps[-1]]
    assert ok(await client.get(MINE, headers=loser.headers)) == []
    _, stranger = await factories.organisation(District.pudong)
    assert ok(await client.get(MINE, headers=stranger.headers)) == []


async def test_only_applicants_use_the_winners_list(client: httpx.AsyncClient) -> None:
    for role, district in ((Role.officer, None), (Role.officer, District.pudong), (Role.expert, None)):
        user = await factories.user(role, district)
        assert (await client.get(MINE, headers=user.headers)).status_code == 403
    assert (await client.get(MINE)).status_code == 401
