"""Prize tiers filled per track in rank order; ties at a tier boundary shown and decided explicitly with a reason;
50 concurrent confirmations make one prize set and one award per entry."""

from __future__ import annotations

import asyncio

import httpx

from programmes.prizes.tables import Prize, PrizeConfirmation
from programmes.tables import Award
from tests.factories.http import ok, problem, refused
from tests.factories.prizes import FIRST, SECOND, confirmed, final_round, set_tiers, tiers
from tests.factories.world import row_counts


async def test_a_tie_at_a_tier_boundary_waits_for_the_officers_decision(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80, 80, 70])
    top, tied_a, tied_b, last = final.apps
    await set_tiers(client, final, tiers(final.line_id))  # 1 一等奖, 1 二等奖, 1 优秀奖
    url = f"/editions/{final.edition_id}/prizes"
    headers = final.officer.headers
    preview = ok(await client.post(f"{url}/preview", json={}, headers=headers))
    [tie] = preview["ties"]
    assert tie["tier_name"] == "二等奖" and tie["places"] == 1 and not tie["decided"]
    assert sorted(c["application_id"] for c in tie["candidates"]) == sorted([tied_a, tied_b])
    assert [w["application_id"] for w in preview["tiers"][0]["winners"]] == [top]
    assert preview["tiers"][1]["winners"] == [] and preview["tiers"][2]["winners"] == []  # nothing below it is settled
    assert not preview["confirmable"]

    before = await row_counts()
    problem(await client.post(f"{url}/confirm", json={}, headers=headers), 409, "prize_tie_undecided")
    outsider = {"tie_decisions": [{"key": tie["key"], "application_ids": [last], "reason": "路演表现更好"}]}
    refused(await client.post(f"{url}/confirm", json=outsider, headers=headers), 422, "tie_decision_invalid")
    both = {"tie_decisions": [{"key": tie["key"], "application_ids": [tied_a, tied_b], "reason": "并列"}]}
    refused(await client.post(f"{url}/confirm", json=both, headers=headers), 422, "tie_decision_invalid")
    unknown = {"tie_decisions": [{"key": "1:*:99", "application_ids": [top], "reason": "无此并列"}]}
    refused(await client.post(f"{url}/confirm", json=unknown, headers=headers), 422, "tie_decision_invalid")
    twice = {"tie_decisions": [outsider["tie_decisions"][0], outsider["tie_decisions"][0]]}
    assert (await client.post(f"{url}/confirm", json=twice, headers=headers)).status_code == 422
    no_reason = {"tie_decisions": [{"key": tie["key"], "application_ids": [tied_b], "reason": ""}]}
    refused(await client.post(f"{url}/confirm", json=no_reason, headers=headers), 422, "string_too_short")
    assert await row_counts() == before

    decided = {"tie_decisions": [{"key": tie["key"], "application_ids": [tied_b], "reason": "现场路演得分更高"}]}
    shown = ok(await client.post(f"{url}/preview", json=decided, headers=headers))
    assert shown["confirmable"] and shown["ties"][0]["decided"]
    done = await confirmed(client, final, **decided)
    tier_of = {p["application_id"]: (p["tier_name"], p["tie_reason"]) for p in done["prizes"]}
    # The one not chosen moves on to the next tier; the last entry wins nothing.
    assert tier_of == {top: ("一等奖", ""), tied_b: ("二等奖", "现场路演得分更高"), tied_a: ("优秀奖", "")}
    confirmation = await PrizeConfirmation.select(PrizeConfirmation.tie_decisions).first().output(load_json=True)
    assert confirmation is not None and confirmation["tie_decisions"][0]["reason"] == "现场路演得分更高"


async def test_a_tie_at_the_last_place_is_decided_too(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 70, 70])
    await set_tiers(client, final, tiers(final.line_id, second=0, honour=1))
    preview = ok(
        await client.post(f"/editions/{final.edition_id}/prizes/preview", json={}, headers=final.officer.headers)
    )
    [tie] = preview["ties"]
    assert tie["tier_name"] == "优秀奖" and tie["places"] == 1
    decision = {"key": tie["key"], "application_ids": [final.apps[1]], "reason": "评委会复议"}
    done = await confirmed(client, final, tie_decisions=[decision])
    assert {p["application_id"] for p in done["prizes"]} == {final.apps[0], final.apps[1]}


async def test_tiers_fill_per_track(client: httpx.AsyncClient) -> None:
    final = await final_round(
        client, [90, 80, 70, 60], tracks=["为老服务", "青少年"], track_of=["为老服务", "青少年", "为老服务", "青少年"]
    )
    elderly_top, youth_top, elderly_next, youth_next = final.apps
    body = {
        "tiers": [
            {
                "name": "一等奖",
                "position": 1,
                "budget_line_id": final.line_id,
                "places": [
                    {"track": "为老服务", "count": 1, "amount_fen": FIRST},
                    {"track": "青少年", "count": 1, "amount_fen": SECOND},
                ],
            },
            {"name": "优秀奖", "position": 2, "places": [{"track": "为老服务", "count": 1, "amount_fen": 0}]},
        ]
    }
    [first, honour] = await set_tiers(client, final, body)
    assert first["total_fen"] == FIRST + SECOND and honour["total_fen"] == 0
    done = await confirmed(client, final)
    won = {p["application_id"]: (p["tier_name"], p["track"], p["amount_fen"]) for p in done["prizes"]}
    assert won == {
        elderly_top: ("一等奖", "为老服务", FIRST),
        youth_top: ("一等奖", "青少年", SECOND),
        elderly_next: ("优秀奖", "为老服务", 0),
    }
    assert youth_next not in won


async def test_fifty_concurrent_confirmations_make_one_prize_set(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80, 70])
    await set_tiers(client, final, tiers(final.line_id))
    url = f"/editions/{final.edition_id}/prizes/confirm"
    answers = await asyncio.gather(*[client.post(url, json={}, headers=final.officer.headers) for _ in range(50)])
    assert [a.status_code for a in answers] == [200] * 50, {a.text for a in answers if a.status_code != 200}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await PrizeConfirmation.count() == 1
    assert await Prize.count() == 3
    assert await Award.count() == 2  # one award per prize with money
    for application_id in final.apps[:2]:
        assert await Award.count().where(Award.application == application_id) == 1
    # Confirming again answers the same set, whatever the body says.
    again = ok(await client.post(url, json={"round_id": final.round_id}, headers=final.officer.headers))
    assert again["id"] == answers[0].json()["id"] and await Award.count() == 2
