"""聚力计划 orders bought as a service (政府购买服务): an officer obligates a 聚力计划 budget line to an accepted order
with a budget; the tranche is released when the community confirms delivery and paid through a four-eyes batch;
cancelling before payment releases the money; every refusal changes nothing. Roles and scope per route."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from programmes.awards.service import read_budget_line
from programmes.disbursements.reconciliation import reconcile
from programmes.exports.money import money_summary_sheets
from programmes.ledger.tables import LedgerEntry
from programmes.matching.tables import MatchOrder
from programmes.tables import SimulatedTransfer, Tranche
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.matching_money import BUDGET_MAX, BUDGET_MIN, deliver, matching_budget_line, purchasable_order
from tests.factories.matching_orders import matched_pair
from tests.factories.money import budget_line
from tests.factories.worker import run_worker_burst
from tests.factories.world import World

AMOUNT = 1_500_000


def obligation(line_id: int, amount_fen: int = AMOUNT) -> dict[str, int]:
    return {"budget_line_id": line_id, "amount_fen": amount_fen}


async def test_an_order_is_obligated_released_on_delivery_and_paid_once(
    client: httpx.AsyncClient, world: World
) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id)
    pair, officer = purchase.pair, world.city_officer.headers
    url = f"/matching/orders/{pair.order_id}/obligation"

    payable = ok(await client.post(url, json=obligation(purchase.line_id), headers=officer))
    assert payable["amount_fen"] == AMOUNT and payable["budget_line_id"] == purchase.line_id
    assert payable["payee_id"] == world.org_id and payable["tranche_status"] == "planned"
    assert (await read_budget_line(purchase.line_id)).available_fen == 10_000_000 - AMOUNT
    problem(await client.post(url, json=obligation(purchase.line_id), headers=officer), 409, "order_already_obligated")
    entries = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.match_order, LedgerEntry.idempotency_key)
    assert entries == [
        {
            "kind": "obligation",
            "match_order": pair.order_id,
            "idempotency_key": f"match_order:{pair.order_id}:obligation",
        }
    ]
    tranche_id = payable["tranche_id"]
    # Planned until the community confirms delivery: not payable yet.
    early = await client.post("/payment-batches", json={"title": "过早", "tranche_ids": [tranche_id]}, headers=officer)
    problem(early, 409, "transition_invalid_state")

    await deliver(client, pair, world.applicant)
    delivered = ok(await client.get(f"/matching/orders/{pair.order_id}", headers=officer))
    assert delivered["status"] == "delivered" and delivered["tranche_status"] == "released"

    batch = ok(
        await client.post("/payment-batches", json={"title": "购买服务", "tranche_ids": [tranche_id]}, headers=officer),
        201,
    )
    assert batch["total_fen"] == AMOUNT
    problem(
        await client.post(f"/payment-batches/{batch['id']}/approve", headers=officer), 409, "four_eyes_same_officer"
    )
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.admin.headers))
    await run_worker_burst()
    await run_worker_burst()  # a second run pays nothing more

    paid = ok(await client.get(f"/matching/orders/{pair.order_id}", headers=pair.community.headers))
    assert paid["tranche_status"] == "paid"
    assert await SimulatedTransfer.select(SimulatedTransfer.idempotency_key, SimulatedTransfer.amount_fen) == [
        {"idempotency_key": f"tranche:{tranche_id}", "amount_fen": AMOUNT}
    ]
    disbursed = await LedgerEntry.select(LedgerEntry.match_order, LedgerEntry.tranche).where(
        LedgerEntry.kind == "disbursement"
    )
    assert disbursed == [{"match_order": pair.order_id, "tranche": tranche_id}]
    report = await reconcile()
    assert report.ok and report.totals["orders"] == 1, report.lines()
    # Paid money is not given back by cancelling (delivered orders cannot be cancelled anyway).
    cancel = await client.post(f"/matching/orders/{pair.order_id}/cancel", json={"reason": "重复"}, headers=officer)
    problem(cancel, 409, "order_obligation_paid")

    # The fund summary (by fund source) counts the order's money like an award's.
    by_source = (await money_summary_sheets(None))[0]
    total = by_source.rows[-1]
    assert total[0] == "合计" and total[-5:] == [10_000_000, AMOUNT, AMOUNT, 0, 10_000_000 - AMOUNT]


async def test_cancelling_an_obligated_order_releases_its_money(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id, status="in_delivery")
    pair = purchase.pair
    ok(
        await client.post(
            f"/matching/orders/{pair.order_id}/obligation",
            json=obligation(purchase.line_id),
            headers=world.city_officer.headers,
        )
    )
    cancelled = ok(
        await client.post(
            f"/matching/orders/{pair.order_id}/cancel", json={"reason": "社区活动取消"}, headers=pair.community.headers
        )
    )
    assert cancelled["status"] == "cancelled" and cancelled["tranche_status"] == "cancelled"
    reversal = await LedgerEntry.select(LedgerEntry.amount_fen, LedgerEntry.idempotency_key).where(
        LedgerEntry.kind == "reversal"
    )
    assert reversal == [{"amount_fen": AMOUNT, "idempotency_key": f"match_order:{pair.order_id}:release"}]
    assert (await read_budget_line(purchase.line_id)).available_fen == 10_000_000
    report = await reconcile()
    assert report.ok, report.lines()


async def test_refusals_name_the_rule_and_change_nothing(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id, line_fen=1_000_000)
    officer, line = world.city_officer.headers, purchase.line_id
    url = f"/matching/orders/{purchase.pair.order_id}/obligation"

    in_kind = await matched_pair(world.org_id, status="accepted")  # a demand without a budget
    problem(
        await client.post(f"/matching/orders/{in_kind.order_id}/obligation", json=obligation(line), headers=officer),
        422,
        "order_in_kind",
    )
    for amount in (BUDGET_MIN - 1, BUDGET_MAX + 1):
        refused(
            await client.post(url, json=obligation(line, amount), headers=officer),
            422,
            "amount_outside_budget",
            "amount_fen",
        )
    problem(await client.post(url, json=obligation(line, 1_000_001), headers=officer), 409, "budget_exceeded")
    contest_line = await budget_line(world, 10_000_000)  # the contest edition's line: not 聚力计划 money
    pudong_line = await matching_budget_line(world.pudong_officer, 10_000_000, world.pudong_officer.principal.district)
    for wrong in (contest_line, pudong_line, 999_999):
        refused(
            await client.post(url, json=obligation(wrong), headers=officer),
            422,
            "budget_line_invalid",
            "budget_line_id",
        )
    malformed = (
        {"budget_line_id": line},
        {**obligation(line), "note": "x"},
        obligation(line, 0),
        {"budget_line_id": line, "amount_fen": 1.5},
        {"budget_line_id": "x", "amount_fen": AMOUNT},
    )
    for body in malformed:
        assert (await client.post(url, json=body, headers=officer)).status_code == 422, body
    for status in ("matched", "delivered", "declined"):
        other = await matched_pair(world.org_id, status=status, budget_min_fen=BUDGET_MIN, budget_max_fen=BUDGET_MAX)
        answer = await client.post(
            f"/matching/orders/{other.order_id}/obligation", json=obligation(line, BUDGET_MIN), headers=officer
        )
        problem(answer, 409, "order_not_payable")

    assert await LedgerEntry.count() == 0 and await Tranche.count() == 0
    assert await MatchOrder.count().where(MatchOrder.budget_line.is_not_null()) == 0


async def test_who_may_obligate_an_order(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id)
    url = f"/matching/orders/{purchase.pair.order_id}/obligation"
    body = obligation(purchase.line_id)
    expert = await factories.user(Role.expert)
    for headers in (world.applicant.headers, purchase.pair.community.headers, expert.headers):
        assert (await client.post(url, json=body, headers=headers)).status_code == 403
    assert (await client.post(url, json=body)).status_code == 401
    problem(await client.post(url, json=body, headers=world.pudong_officer.headers), 404, "not_found")
    # A district officer in scope cannot spend a city line, but may spend their own district's 聚力计划 line.
    changning = world.changning_officer
    refused(await client.post(url, json=body, headers=changning.headers), 422, "budget_line_invalid", "budget_line_id")
    own_line = await matching_budget_line(changning, 3_000_000, changning.principal.district)
    payable = ok(await client.post(url, json=obligation(own_line), headers=changning.headers))
    assert payable["budget_line_id"] == own_line
    assert await LedgerEntry.count() == 1


async def test_reconciliation_flags_an_order_whose_books_disagree(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id)
    url = f"/matching/orders/{purchase.pair.order_id}/obligation"
    tranche_id = ok(await client.post(url, json=obligation(purchase.line_id), headers=world.city_officer.headers))[
        "tranche_id"
    ]
    assert (await reconcile()).ok
    # A hand edit of the tranche (the way a superuser's manual fix could): reconciliation is the second line.
    await Tranche.update({Tranche.amount_fen: AMOUNT - 1}).where(Tranche.id == tranche_id)
    report = await reconcile()
    assert report.codes() == ["order_tranche_not_order_amount"]
    assert f"match_order:{purchase.pair.order_id}" in report.lines()[0]
