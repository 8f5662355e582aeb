"""Issue 15: an entry of the final round, ranked, on a 公示 that became final, wins a prize whose money goes
through the award → agreement → tranche path and is paid; tiers are validated against the edition's budget."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from programmes.agreements.service import countersign
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.ledger.tables import LedgerEntry
from programmes.prizes.tables import Prize, PrizeConfirmation, PrizeTier
from programmes.tables import Award, BudgetLine, Tranche
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.prizes import FIRST, SECOND, confirmed, final_round, set_tiers, tiers
from tests.factories.worker import run_worker_burst
from tests.factories.world import row_counts


async def test_a_final_entry_wins_a_prize_and_its_money_is_paid(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80, 70, 60])
    first, second, honour, loser = final.apps
    set_ = await set_tiers(client, final, tiers(final.line_id))
    assert [t["total_fen"] for t in set_] == [FIRST, SECOND, 0]

    preview = ok(
        await client.post(f"/editions/{final.edition_id}/prizes/preview", json={}, headers=final.officer.headers)
    )
    assert preview["round_id"] == final.round_id and preview["notice_final"] and preview["confirmable"]
    assert [[w["application_id"] for w in t["winners"]] for t in preview["tiers"]] == [[first], [second], [honour]]
    assert preview["total_fen"] == FIRST + SECOND and preview["ties"] == []

    done = await confirmed(client, final)
    by_app = {p["application_id"]: p for p in done["prizes"]}
    assert set(by_app) == {first, second, honour} and loser not in by_app
    assert [p["tier_name"] for p in done["prizes"]] == ["一等奖", "二等奖", "优秀奖"]
    assert done["awards"] == 2 and by_app[honour]["award_id"] is None
    # The prize money is an award of the chosen budget line (its fund source), with an agreement and a tranche.
    award = ok(await client.get(f"/awards/{by_app[first]['award_id']}", headers=final.officer.headers))
    assert award["application_id"] == first and award["amount_fen"] == FIRST
    assert award["budget_line_id"] == final.line_id and award["award_type"] == "reward"
    line = await BudgetLine.select(BudgetLine.fund_source).where(BudgetLine.id == final.line_id).first()
    assert line is not None and line["fund_source"] == final.source_id
    assert award["agreement_status"] == "draft" and [t["amount_fen"] for t in award["tranches"]] == [FIRST]

    # The winner signs, the officer countersigns (a second officer above the four-eyes amount), the tranche is paid.
    member = final.members[first]
    await factories.verified_bank_account(final.orgs[first])
    ok(
        await client.post(
            f"/agreements/{award['agreement_id']}/sign", json={"signer_name": "王敏"}, headers=member.headers
        )
    )
    agreement = await countersign(final.officer.principal, award["agreement_id"])
    if agreement.status == "countersigning":
        await countersign(await factories.second_officer(final.officer.principal), award["agreement_id"])
    tranche_id = award["tranches"][0]["id"]
    batch = await create_batch(final.officer.principal, BatchCreate(title="奖金拨付", tranche_ids=[tranche_id]))
    await approve_batch(await factories.second_officer(final.officer.principal), batch.id)
    await run_worker_burst()
    paid = await Tranche.select(Tranche.status).where(Tranche.id == tranche_id).first()
    assert paid is not None and paid["status"] == "paid"
    assert (
        await LedgerEntry.count().where((LedgerEntry.kind == "disbursement") & (LedgerEntry.award == award["id"])) == 1
    )
    # The winner's organisation reads its prize; another organisation does not.
    mine = ok(await client.get(f"/prizes/{by_app[first]['id']}", headers=member.headers))
    assert mine["organisation_id"] == final.orgs[first] and mine["tier_name"] == "一等奖"
    problem(await client.get(f"/prizes/{by_app[first]['id']}", headers=final.members[loser].headers), 404, "not_found")
    page = await client.get(f"/editions/{final.edition_id}/prizes?limit=2", headers=final.officer.headers)
    assert [p["application_id"] for p in ok(page)] == [first, second]
    assert page.headers["X-Total-Count"] == "3" and page.headers["X-Has-More"] == "true"


async def test_no_prize_before_the_final_notice_is_final(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80], finalised=False)
    await set_tiers(client, final, tiers(final.line_id, honour=0))
    preview = ok(
        await client.post(f"/editions/{final.edition_id}/prizes/preview", json={}, headers=final.officer.headers)
    )
    assert not preview["notice_final"] and not preview["confirmable"]
    assert len(preview["tiers"][0]["winners"]) == 1  # the preview still shows who would win
    before = await row_counts()
    body = {"tie_decisions": []}
    problem(
        await client.post(f"/editions/{final.edition_id}/prizes/confirm", json=body, headers=final.officer.headers),
        409,
        "notice_not_final",
    )
    assert await row_counts() == before


async def test_only_entries_on_the_public_list_can_win(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80, 70], listed=2)
    await set_tiers(client, final, tiers(final.line_id, first=1, second=1, honour=1))
    done = await confirmed(client, final)
    assert {p["application_id"] for p in done["prizes"]} == set(final.apps[:2])  # the third was never announced


async def test_a_named_round_must_be_of_the_edition_and_a_final_must_exist(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90])
    other = await factories.contest_round(final.officer)
    await set_tiers(client, final, tiers(final.line_id, second=0, honour=0))
    url = f"/editions/{final.edition_id}/prizes/preview"
    refused(await client.post(url, json={"round_id": other["id"]}, headers=final.officer.headers), 422, "round_invalid")
    # An edition without a final-stage round: the officer must name the round; a named round not ranked yet.
    other_url = f"/editions/{other['edition_id']}/prizes/preview"
    problem(await client.post(other_url, json={}, headers=final.officer.headers), 409, "no_final_round")
    body = {"round_id": other["id"]}
    problem(await client.post(other_url, json=body, headers=final.officer.headers), 409, "no_prize_tiers")


async def test_tiers_are_validated_and_write_nothing_when_refused(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90], budget_fen=6_000_000)
    url = f"/editions/{final.edition_id}/prize-tiers"
    headers = final.officer.headers
    before = await row_counts()
    over = tiers(final.line_id)  # 5 万 + 2 万 > the line's 6 万
    problem(await client.put(url, json=over, headers=headers), 422, "prizes_over_budget")
    no_line = tiers(final.line_id)
    del no_line["tiers"][0]["budget_line_id"]
    refused(await client.put(url, json=no_line, headers=headers), 422, "budget_line_required", "tiers")
    other_line = tiers(final.line_id + 999)
    refused(await client.put(url, json=other_line, headers=headers), 422, "budget_line_invalid", "tiers")
    same_name = tiers(final.line_id, second=0)
    same_name["tiers"][1]["name"] = "一等奖"
    refused(await client.put(url, json=same_name, headers=headers), 422, "tier_name_duplicate", "tiers")
    same_position = tiers(final.line_id, second=0)
    same_position["tiers"][1]["position"] = 1
    refused(await client.put(url, json=same_position, headers=headers), 422, "tier_position_duplicate", "tiers")
    for bad in ({"count": -1, "amount_fen": 0}, {"count": 1, "amount_fen": -5}, {"count": 1, "amount_fen": 1.5}):
        body = {"tiers": [{"name": "一等奖", "position": 1, "places": [{"track": None, **bad}]}]}
        assert (await client.put(url, json=body, headers=headers)).status_code == 422
    mixed = {
        "tiers": [
            {
                "name": "一等奖",
                "position": 1,
                "places": [{"count": 1, "amount_fen": 0}, {"track": "A", "count": 1, "amount_fen": 0}],
            }
        ]
    }
    assert (await client.put(url, json=mixed, headers=headers)).status_code == 422
    assert await row_counts() == before
    # Within budget (5 万 + 优秀奖 without money): accepted, and replaced as a whole by the next set.
    fits = tiers(final.line_id, second=0)
    assert [t["name"] for t in await set_tiers(client, final, fits)] == ["一等奖", "二等奖", "优秀奖"]
    assert len(ok(await client.get(url, headers=headers))) == 3
    await set_tiers(client, final, tiers(final.line_id, second=0, honour=0))
    assert await PrizeTier.count().where(PrizeTier.edition == final.edition_id) == 3
    await confirmed(client, final)
    problem(await client.put(url, json=fits, headers=headers), 409, "prizes_confirmed")


async def test_scope_roles_and_unknown_editions(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80])
    await set_tiers(client, final, tiers(final.line_id))
    district = await factories.user(Role.officer, factories.District.pudong)
    applicant = final.members[final.apps[0]]
    for path, body in (
        (f"/editions/{final.edition_id}/prizes/preview", {}),
        (f"/editions/{final.edition_id}/prizes/confirm", {}),
    ):
        problem(await client.post(path, json=body, headers=district.headers), 404, "not_found")
        assert (await client.post(path, json=body, headers=applicant.headers)).status_code == 403
        assert (await client.post(path, json=body)).status_code == 401
    problem(
        await client.put(
            f"/editions/{final.edition_id}/prize-tiers", json=tiers(final.line_id), headers=district.headers
        ),
        404,
        "not_found",
    )
    problem(await client.get(f"/editions/{final.edition_id}/prizes", headers=district.headers), 404, "not_found")
    problem(
        await client.post("/editions/999999/prizes/preview", json={}, headers=final.officer.headers), 404, "not_found"
    )
    assert await PrizeConfirmation.count() == 0 and await Prize.count() == 0 and await Award.count() == 0
