"""Races on money: 200 concurrent requests over HTTP (through the ASGI app) and 200 concurrent payment job runs.

Whatever the interleaving, exactly one request wins and every other one gets a 409 problem+json; exactly one
transfer and one disbursement entry exist per tranche; the books reconcile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from app.audit import AuditEntry
from app.outbox import OutboxMessage
from app.settings import get_settings
from programmes.disbursements.jobs import pay_batch
from programmes.disbursements.provider import SimulatedProvider
from programmes.disbursements.reconciliation import reconcile
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import create_batch, read_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import PaymentBatch, PaymentBatchItem, SimulatedTransfer, Tranche
from tests.factories.money import released_tranches
from tests.factories.world import World

CONCURRENCY = 200


def assert_one_winner(responses: list[httpx.Response], winner_status: int) -> Counter[str]:
    """Exactly one response with ``winner_status``; every other one a 409 problem+json. Returns the losers' codes."""
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {winner_status: 1, 409: len(responses) - 1}, statuses
    losers = [r for r in responses if r.status_code == 409]
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in losers)
    bodies: list[dict[str, Any]] = [r.json() for r in losers]
    assert all(b["status"] == 409 and b["detail"] for b in bodies)
    return Counter(str(b["code"]) for b in bodies)


async def test_200_concurrent_approvals_of_one_batch_approve_it_once(client: httpx.AsyncClient, world: World) -> None:
    [tranche_id] = await released_tranches(world, 1)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="并发审批", tranche_ids=[tranche_id]))
    officers = [world.city_officer.headers, world.admin.headers]

    responses = await asyncio.gather(
        *[client.post(f"/payment-batches/{batch.id}/approve", headers=officers[n % 2]) for n in range(CONCURRENCY)]
    )

    codes = assert_one_winner(responses, 200)
    # The builder's half is refused by four-eyes whatever the state; of the admin's half one wins.
    half = CONCURRENCY // 2
    assert codes == {"four_eyes_same_officer": half, "transition_invalid_state": half - 1}
    assert (await read_batch(batch.id)).status == "approved"
    assert (await read_batch(batch.id)).approved_by == world.admin.id
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1
    staged = await OutboxMessage.select(OutboxMessage.job_key).where(OutboxMessage.job_name == "pay_batch")
    assert staged == [{"job_key": f"pay_batch:{batch.id}"}]  # one payment job, not 200


async def test_200_concurrent_batches_for_one_released_tranche_take_it_once(
    client: httpx.AsyncClient, world: World
) -> None:
    [tranche_id] = await released_tranches(world, 1)
    body = {"title": "抢同一笔款项", "tranche_ids": [tranche_id]}
    officers = [world.city_officer.headers, world.admin.headers]

    responses = await asyncio.gather(
        *[client.post("/payment-batches", json=body, headers=officers[n % 2]) for n in range(CONCURRENCY)]
    )

    codes = assert_one_winner(responses, 201)
    # Losers wait on the tranche's row lock and then find it in_batch; the partial unique index on live batch
    # items is the net below that lock.
    assert set(codes) <= {"transition_invalid_state", "tranche_already_in_batch"}
    [winner] = [r.json() for r in responses if r.status_code == 201]
    assert await PaymentBatch.count() == 1  # every losing request rolled back its batch row
    assert await PaymentBatchItem.select(PaymentBatchItem.batch, PaymentBatchItem.tranche) == [
        {"batch": winner["id"], "tranche": tranche_id}
    ]
    assert await Tranche.select(Tranche.status).where(Tranche.id == tranche_id).first() == {"status": "in_batch"}
    assert await AuditEntry.count().where(AuditEntry.action == "tranche.add_to_batch") == 1


async def test_200_concurrent_payment_runs_pay_each_tranche_exactly_once(
    client: httpx.AsyncClient, world: World
) -> None:
    tranche_ids = await released_tranches(world, 3)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="并发支付", tranche_ids=tranche_ids))
    approved = await client.post(f"/payment-batches/{batch.id}/approve", headers=world.admin.headers)
    assert approved.status_code == 200, approved.text

    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        # All 200 at once: they share the test pool (20 connections) and queue for it; the tranche row lock
        # decides who pays.
        results = await asyncio.gather(
            *[pay_batch(batch.id, provider) for _ in range(CONCURRENCY)], return_exceptions=True
        )
    finally:
        await provider.close()

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    assert sum(r["paid"] for r in results if isinstance(r, dict)) == len(tranche_ids)
    transfers = await SimulatedTransfer.select(SimulatedTransfer.idempotency_key, SimulatedTransfer.amount_fen)
    assert sorted(t["idempotency_key"] for t in transfers) == sorted(f"tranche:{t}" for t in tranche_ids)
    disbursements = await LedgerEntry.select(LedgerEntry.tranche).where(LedgerEntry.kind == "disbursement")
    assert sorted(d["tranche"] for d in disbursements) == sorted(tranche_ids)
    paid = await read_batch(batch.id)
    assert paid.status == "completed"
    assert {i.status for i in paid.items} == {"paid"}
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.complete") == 1
    report = await reconcile()
    assert report.ok, report.lines()
