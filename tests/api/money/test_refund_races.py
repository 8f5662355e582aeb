"""One bank receipt, one refund (issue 10): concurrent refunds quoting the same bank reference on different
clawbacks write one ledger row, the others get a 409; and PostgreSQL refuses a second row by itself."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import asyncpg
import httpx
import pytest

from app.audit import AuditEntry
from programmes.disbursements.reconciliation import reconcile
from programmes.ledger.tables import LedgerEntry
from tests.factories.http import ok, problem
from tests.factories.money import paid_award
from tests.factories.world import World

CLAWBACKS = 5
RECEIPTS = 12
SENDS_PER_RECEIPT = 5  # 60 concurrent refunds
REFUND = 1_000
DEMANDED = 20_000  # more than RECEIPTS × REFUND: no refund is refused for exceeding its clawback


async def demand(client: httpx.AsyncClient, world: World, award_id: int) -> int:
    body = {"amount_fen": DEMANDED, "finding": "审计发现"}
    response = await client.post(f"/awards/{award_id}/clawbacks", json=body, headers=world.city_officer.headers)
    return int(ok(response, 201)["id"])


async def test_concurrent_refunds_credit_each_bank_receipt_once(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    clawbacks = [await demand(client, world, paid.award_id) for _ in range(CLAWBACKS)]
    # Each receipt is sent to several clawbacks at once (and sometimes twice to the same one: a replay).
    rng = random.Random(10)
    sends = [(f"BOS-RACE-{r:03d}", rng.choice(clawbacks)) for r in range(RECEIPTS) for _ in range(SENDS_PER_RECEIPT)]
    rng.shuffle(sends)

    responses = await asyncio.gather(
        *[
            client.post(f"/clawbacks/{c}/refunds", json={"amount_fen": REFUND, "bank_reference": ref}, headers=staff)
            for ref, c in sends
        ]
    )

    rows = await LedgerEntry.select(LedgerEntry.bank_reference, LedgerEntry.clawback).where(
        LedgerEntry.kind == "refund"
    )
    assert sorted(r["bank_reference"] for r in rows) == sorted({ref for ref, _ in sends})  # each receipt once
    credited = {r["bank_reference"]: r["clawback"] for r in rows}
    for (ref, clawback_id), response in zip(sends, responses, strict=True):
        if clawback_id == credited[ref]:
            assert response.status_code == 200, response.text  # the winner, or a replay of it
        else:
            problem(response, 409, "bank_reference_reused")
    assert await AuditEntry.count().where(AuditEntry.action == "clawback.refund") == RECEIPTS
    per_clawback = Counter(credited.values())
    for clawback_id in clawbacks:
        shown = ok(await client.get(f"/clawbacks/{clawback_id}", headers=staff))
        assert shown["refunded_fen"] == REFUND * per_clawback[clawback_id]
    assert (await reconcile()).ok


async def test_the_database_refuses_a_second_refund_for_one_receipt(client: httpx.AsyncClient, world: World) -> None:
    paid = await paid_award(world)
    staff = world.city_officer.headers
    first, second = [await demand(client, world, paid.award_id) for _ in range(2)]
    ok(
        await client.post(
            f"/clawbacks/{first}/refunds", json={"amount_fen": REFUND, "bank_reference": "BOS-ONCE"}, headers=staff
        )
    )
    # Behind the service's back (a future code path, a hand-written INSERT): the unique index still refuses it.
    with pytest.raises(asyncpg.exceptions.UniqueViolationError, match="ledger_entry_refund_bank_reference"):
        await LedgerEntry.insert(
            LedgerEntry(
                kind="refund",
                award=paid.award_id,
                budget_line=paid.line_id,
                clawback=second,
                bank_reference="BOS-ONCE",
                amount_fen=REFUND,
                idempotency_key=f"clawback:{second}:refund:BOS-ONCE",
            )
        )
    assert await LedgerEntry.count().where(LedgerEntry.kind == "refund") == 1
