"""Races on 聚力计划 money (政府购买服务), 50 concurrent requests each, rows counted afterwards: one order obligated
once; orders racing for the last money of a budget line never take it over its amount; a batch paid by two
concurrent payment runs pays each order once."""

from __future__ import annotations

import asyncio

import httpx

from app.settings import get_settings
from programmes.awards.service import read_budget_line
from programmes.disbursements.jobs import pay_batch
from programmes.disbursements.provider import SimulatedProvider
from programmes.disbursements.reconciliation import reconcile
from programmes.ledger.tables import LedgerEntry
from programmes.matching.tables import MatchOrder
from programmes.tables import PaymentBatchItem, SimulatedTransfer, Tranche
from tests.factories.http import ok, problem
from tests.factories.matching_money import BUDGET_MIN, deliver, more_orders, purchasable_order
from tests.factories.world import World

RACERS = 50


async def test_fifty_obligations_of_one_order_make_one(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id)
    url = f"/matching/orders/{purchase.pair.order_id}/obligation"
    officers = [world.city_officer.headers, world.admin.headers]
    body = {"budget_line_id": purchase.line_id, "amount_fen": BUDGET_MIN}

    responses = await asyncio.gather(*[client.post(url, json=body, headers=officers[n % 2]) for n in range(RACERS)])

    assert sum(r.status_code == 200 for r in responses) == 1, [r.text for r in responses if r.status_code >= 500]
    for response in responses:
        if response.status_code != 200:
            problem(response, 409, "order_already_obligated")
    assert await LedgerEntry.count().where(LedgerEntry.kind == "obligation") == 1
    assert await Tranche.count().where(Tranche.match_order == purchase.pair.order_id) == 1
    assert (await read_budget_line(purchase.line_id)).obligated_fen == BUDGET_MIN


async def test_fifty_orders_race_for_the_last_money_of_a_line(client: httpx.AsyncClient, world: World) -> None:
    line_fen = 3 * BUDGET_MIN  # two orders' worth taken below, one left for fifty racers
    purchase = await purchasable_order(world.city_officer, world.org_id, line_fen=line_fen)
    body = {"budget_line_id": purchase.line_id, "amount_fen": BUDGET_MIN}
    officer = world.city_officer.headers
    taken = await more_orders(purchase, 1)
    for order_id in (purchase.pair.order_id, *taken):
        ok(await client.post(f"/matching/orders/{order_id}/obligation", json=body, headers=officer))
    racers = await more_orders(purchase, RACERS)

    responses = await asyncio.gather(
        *[client.post(f"/matching/orders/{o}/obligation", json=body, headers=officer) for o in racers]
    )

    assert sum(r.status_code == 200 for r in responses) == 1, [r.text for r in responses if r.status_code >= 500]
    for response in responses:
        if response.status_code != 200:
            problem(response, 409, "budget_exceeded")
    obligations = await LedgerEntry.select(LedgerEntry.amount_fen).where(LedgerEntry.kind == "obligation")
    assert len(obligations) == 3 and sum(o["amount_fen"] for o in obligations) == line_fen
    assert await MatchOrder.count().where(MatchOrder.budget_line == purchase.line_id) == 3
    assert (await read_budget_line(purchase.line_id)).available_fen == 0


async def test_fifty_payment_runs_pay_an_order_once(client: httpx.AsyncClient, world: World) -> None:
    purchase = await purchasable_order(world.city_officer, world.org_id)
    pair, officer = purchase.pair, world.city_officer.headers
    body = {"budget_line_id": purchase.line_id, "amount_fen": BUDGET_MIN}
    tranche_id = ok(await client.post(f"/matching/orders/{pair.order_id}/obligation", json=body, headers=officer))[
        "tranche_id"
    ]
    await deliver(client, pair, world.applicant)
    batch = ok(
        await client.post("/payment-batches", json={"title": "购买服务", "tranche_ids": [tranche_id]}, headers=officer),
        201,
    )
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.admin.headers))

    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        results = await asyncio.gather(*[pay_batch(batch["id"], provider) for _ in range(RACERS)])
    finally:
        await provider.close()

    assert sum(r["paid"] for r in results) == 1
    assert await SimulatedTransfer.count() == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1
    assert await PaymentBatchItem.select(PaymentBatchItem.status) == [{"status": "paid"}]
    report = await reconcile()
    assert report.ok, report.lines()
