"""Four-eyes on payment batches (双人复核): the builder never approves; drafts can be discarded or shrunk.

Each rule is tried through the API and straight against the database (the trigger), and raced: 50 concurrent
requests, then the rows are counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from asyncpg.exceptions import CheckViolationError

from app.audit import AuditEntry
from app.outbox import OutboxMessage
from app.timezone import now_utc
from programmes.awards.changes import cancel_award
from programmes.disbursements.reconciliation import reconcile
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import create_batch, read_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import PaymentBatch, PaymentBatchItem, Tranche
from tests import factories
from tests.factories.money import released_tranches
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts

CONCURRENCY = 50


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["detail"], body


async def statuses(tranche_ids: list[int]) -> list[str]:
    if not tranche_ids:
        return []
    rows = await Tranche.select(Tranche.status).where(Tranche.id.is_in(tranche_ids)).order_by(Tranche.id)
    return [r["status"] for r in rows]


async def test_the_builder_cannot_approve_a_batch_and_a_second_officer_can(
    client: httpx.AsyncClient, world: World
) -> None:
    [tranche_id] = await released_tranches(world, 1)
    built = await client.post(
        "/payment-batches", json={"title": "第一批", "tranche_ids": [tranche_id]}, headers=world.city_officer.headers
    )
    assert built.status_code == 201, built.text
    batch = built.json()
    assert batch["created_by"] == world.city_officer.id and batch["approved_by"] is None

    before = await row_counts()
    refused = await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.city_officer.headers)
    problem(refused, 409, "four_eyes_same_officer")
    assert "另一名官员" in refused.json()["detail"]
    assert await row_counts() == before  # nothing written: no audit row, no payment job
    # Out of scope reads as missing, four-eyes or not.
    problem(
        await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.pudong_officer.headers),
        404,
        "not_found",
    )

    approved = await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.admin.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == world.admin.id and approved.json()["created_by"] == world.city_officer.id
    await run_worker_burst()
    assert (await read_batch(batch["id"])).status == "completed"


async def test_the_database_refuses_a_batch_approved_by_its_builder(world: World) -> None:
    """The trigger behind the service: a script or a hand-written UPDATE cannot skip the second officer."""
    [tranche_id] = await released_tranches(world, 1)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="绕过服务", tranche_ids=[tranche_id]))
    builder = world.city_officer.id
    with pytest.raises(CheckViolationError, match="other than its builder"):
        await PaymentBatch.update(
            {PaymentBatch.status: "approved", PaymentBatch.approved_by: builder, PaymentBatch.approved_at: now_utc()}
        ).where(PaymentBatch.id == batch.id)
    with pytest.raises(CheckViolationError, match="other than its builder"):
        await PaymentBatch.update({PaymentBatch.status: "approved"}).where(PaymentBatch.id == batch.id)
    with pytest.raises(CheckViolationError, match="builder cannot change"):
        await PaymentBatch.update({PaymentBatch.created_by: world.admin.id}).where(PaymentBatch.id == batch.id)
    with pytest.raises(CheckViolationError, match="starts as a draft"):
        await PaymentBatch.insert(PaymentBatch(title="直接插入", status="approved", approved_by=builder))
    with pytest.raises(CheckViolationError, match="starts as a draft"):
        await PaymentBatch.insert(PaymentBatch(title="无建批次人", status="draft"))
    assert (await read_batch(batch.id)).status == "draft"
    # A different officer passes the trigger (the service would also have staged the payment job).
    await PaymentBatch.update({PaymentBatch.status: "approved", PaymentBatch.approved_by: world.admin.id}).where(
        PaymentBatch.id == batch.id
    )


async def test_50_concurrent_approvals_by_builder_and_second_officer_approve_once(
    client: httpx.AsyncClient, world: World
) -> None:
    [tranche_id] = await released_tranches(world, 1)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="并发审批", tranche_ids=[tranche_id]))
    officers = [world.city_officer.headers, world.admin.headers]

    responses = await asyncio.gather(
        *[client.post(f"/payment-batches/{batch.id}/approve", headers=officers[n % 2]) for n in range(CONCURRENCY)]
    )

    by_status = Counter(r.status_code for r in responses)
    assert by_status == {200: 1, 409: CONCURRENCY - 1}, by_status
    [winner] = [r for r in responses if r.status_code == 200]
    assert winner.json()["approved_by"] == world.admin.id
    codes = Counter(r.json()["code"] for r in responses if r.status_code == 409)
    assert codes == {"four_eyes_same_officer": CONCURRENCY // 2, "transition_invalid_state": CONCURRENCY // 2 - 1}
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 1


async def test_discarding_a_draft_frees_its_tranches(client: httpx.AsyncClient, world: World) -> None:
    tranche_ids = await released_tranches(world, 2)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="待作废", tranche_ids=tranche_ids))
    url = f"/payment-batches/{batch.id}/discard"

    problem(await client.post(url, json={"reason": "越权"}, headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(url, json={}, headers=world.city_officer.headers)).status_code == 422  # reason needed
    discarded = await client.post(url, json={"reason": "收款账户待更新"}, headers=world.city_officer.headers)
    assert discarded.status_code == 200, discarded.text
    body = discarded.json()
    assert body["status"] == "discarded" and body["total_fen"] == 0
    assert [i["status"] for i in body["items"]] == ["removed", "removed"]
    assert await statuses(tranche_ids) == ["released", "released"]
    [entry] = (
        await AuditEntry.select().where(AuditEntry.action == "payment_batch.discard_release").output(load_json=True)
    )
    assert entry["before"] == {"tranche_ids": tranche_ids} and entry["reason"] == "收款账户待更新"

    problem(
        await client.post(url, json={"reason": "再次作废"}, headers=world.city_officer.headers),
        409,
        "transition_invalid_state",
    )
    problem(await client.post(f"/payment-batches/{batch.id}/approve", headers=world.admin.headers), 409, "batch_empty")
    # The freed tranches go into a new batch (the removed items no longer hold them) and are paid once.
    again = await create_batch(world.city_officer.principal, BatchCreate(title="重建", tranche_ids=tranche_ids))
    await factories.approve_as_second_officer(world.city_officer.principal, again.id)
    await run_worker_burst()
    assert await statuses(tranche_ids) == ["paid", "paid"]
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 2
    assert (await reconcile()).ok
    # An approved (here completed) batch cannot be discarded: its money has left.
    problem(
        await client.post(
            f"/payment-batches/{again.id}/discard", json={"reason": "晚了"}, headers=world.city_officer.headers
        ),
        409,
        "transition_invalid_state",
    )


async def test_a_tranche_taken_out_of_a_draft_lets_its_award_be_cancelled(
    client: httpx.AsyncClient, world: World
) -> None:
    """Regression: a tranche in a draft batch blocked reducing or cancelling its award forever."""
    tranche_ids = await released_tranches(world, 2)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="含待撤销款项", tranche_ids=tranche_ids))
    award_id = (await Tranche.select(Tranche.award).where(Tranche.id == tranche_ids[0]).first() or {})["award"]
    blocked = await client.post(
        f"/awards/{award_id}/cancel", json={"reason": "项目终止"}, headers=world.city_officer.headers
    )
    problem(blocked, 409, "award_tranche_in_batch")
    assert blocked.json()["errors"][0]["field"] == "tranche_ids" and "移出" in blocked.json()["detail"]

    url = f"/payment-batches/{batch.id}/tranches/{tranche_ids[0]}/remove"
    problem(await client.post(url, json={"reason": "越权"}, headers=world.changning_officer.headers), 404, "not_found")
    missing = f"/payment-batches/{batch.id}/tranches/{2**31 - 1}/remove"
    problem(
        await client.post(missing, json={"reason": "不在批次"}, headers=world.city_officer.headers), 404, "not_found"
    )
    removed = await client.post(url, json={"reason": "资助拟撤销"}, headers=world.city_officer.headers)
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert [(i["tranche_id"], i["status"]) for i in body["items"]] == [
        (tranche_ids[0], "removed"),
        (tranche_ids[1], "pending"),
    ]
    assert body["total_fen"] == body["items"][1]["amount_fen"]
    assert await statuses(tranche_ids) == ["released", "in_batch"]
    [entry] = (
        await AuditEntry.select().where(AuditEntry.action == "payment_batch.remove_tranche").output(load_json=True)
    )
    assert entry["before"] == {"tranche_ids": tranche_ids} and entry["after"] == {"tranche_ids": tranche_ids[1:]}

    problem(await client.post(url, json={"reason": "再移一次"}, headers=world.city_officer.headers), 404, "not_found")
    last = f"/payment-batches/{batch.id}/tranches/{tranche_ids[1]}/remove"
    problem(
        await client.post(last, json={"reason": "最后一笔"}, headers=world.city_officer.headers), 409, "batch_last_item"
    )
    cancelled = await cancel_award(world.city_officer.principal, award_id, "项目终止")
    assert cancelled.status == "cancelled" and await statuses(tranche_ids[:1]) == ["cancelled"]

    await factories.approve_as_second_officer(world.city_officer.principal, batch.id)
    problem(
        await client.post(last, json={"reason": "已审批"}, headers=world.city_officer.headers), 409, "batch_not_draft"
    )
    await run_worker_burst()
    assert await LedgerEntry.select(LedgerEntry.tranche).where(LedgerEntry.kind == "disbursement") == [
        {"tranche": tranche_ids[1]}
    ]
    assert (await reconcile()).ok


async def test_50_concurrent_discards_and_approvals_leave_one_outcome(client: httpx.AsyncClient, world: World) -> None:
    tranche_ids = await released_tranches(world, 2)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="作废或审批", tranche_ids=tranche_ids))
    discard = {"reason": "并发作废"}
    requests = [
        client.post(f"/payment-batches/{batch.id}/discard", json=discard, headers=world.city_officer.headers)
        if n % 2
        else client.post(f"/payment-batches/{batch.id}/approve", headers=world.admin.headers)
        for n in range(CONCURRENCY)
    ]

    responses = await asyncio.gather(*requests)

    assert Counter(r.status_code for r in responses) == {200: 1, 409: CONCURRENCY - 1}
    await run_worker_burst()
    final = await read_batch(batch.id)
    items = await PaymentBatchItem.select(PaymentBatchItem.status).where(PaymentBatchItem.batch == batch.id)
    disbursed = await LedgerEntry.count().where(LedgerEntry.kind == "disbursement")
    if final.status == "discarded":
        assert [i["status"] for i in items] == ["removed", "removed"] and disbursed == 0
        assert await statuses(tranche_ids) == ["released", "released"]
        assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 0
    else:
        assert final.status == "completed" and [i["status"] for i in items] == ["paid", "paid"] and disbursed == 2
        assert await statuses(tranche_ids) == ["paid", "paid"]
    assert (await reconcile()).ok


async def test_50_concurrent_removals_and_approvals_keep_items_tranches_and_ledger_in_step(
    client: httpx.AsyncClient, world: World
) -> None:
    tranche_ids = await released_tranches(world, 5)
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="边移出边审批", tranche_ids=tranche_ids))
    removable = tranche_ids[:4]  # the fifth stays, so the batch never runs empty
    requests = [
        client.post(
            f"/payment-batches/{batch.id}/tranches/{removable[n % 5]}/remove",
            json={"reason": "并发移出"},
            headers=world.city_officer.headers,
        )
        if n % 5 != 4
        else client.post(f"/payment-batches/{batch.id}/approve", headers=world.admin.headers)
        for n in range(CONCURRENCY)
    ]

    responses = await asyncio.gather(*requests)

    approvals = [r for n, r in enumerate(responses) if n % 5 == 4]
    removals = [r for n, r in enumerate(responses) if n % 5 != 4]
    assert [r.status_code for r in approvals].count(200) == 1
    removed_ok = [r for r in removals if r.status_code == 200]
    assert {r.json()["code"] for r in removals if r.status_code != 200} <= {"batch_not_draft", "not_found"}
    await run_worker_burst()
    items = {
        i["tranche"]: i["status"]
        for i in await PaymentBatchItem.select(PaymentBatchItem.tranche, PaymentBatchItem.status).where(
            PaymentBatchItem.batch == batch.id
        )
    }
    removed = [t for t in tranche_ids if items[t] == "removed"]
    paid = [t for t in tranche_ids if items[t] == "paid"]
    assert len(removed) == len(removed_ok) <= 4 and len(removed) + len(paid) == 5
    assert all(s == "released" for s in await statuses(removed))
    assert all(s == "paid" for s in await statuses(paid))
    ledger = await LedgerEntry.select(LedgerEntry.tranche).where(LedgerEntry.kind == "disbursement")
    assert sorted(e["tranche"] for e in ledger) == sorted(paid)  # one disbursement per paid tranche, none else
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.remove_tranche") == len(removed)
    assert (await reconcile()).ok
