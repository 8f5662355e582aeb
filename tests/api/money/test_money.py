"""Money guards: concurrent payment runs pay once; concurrent awards never overdraw a budget line."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app import outbox
from app.outbox import OutboxMessage
from app.queue import get_queue
from app.settings import get_settings
from programmes.awards.schemas import AwardCreate
from programmes.awards.service import make_award, read_budget_line
from programmes.disbursements.jobs import pay_batch
from programmes.disbursements.provider import SimulatedProvider
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import Application, SimulatedTransfer, Tranche
from tests import factories
from tests.factories.money import budget_line, close_world_round, ranked_world, reviewed_application
from tests.factories.world import World


async def test_concurrent_payment_runs_pay_each_tranche_once(client: httpx.AsyncClient, world: World) -> None:
    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=400_000),
    )
    tranche_id = award["tranches"][0]["id"]
    batch = await create_batch(world.city_officer.principal, BatchCreate(title="并发批次", tranche_ids=[tranche_id]))
    await approve_batch(await factories.second_officer(world.city_officer.principal), batch.id)

    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        results = await asyncio.gather(*[pay_batch(batch.id, provider) for _ in range(20)], return_exceptions=True)
    finally:
        await provider.close()
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(r["paid"] for r in results if isinstance(r, dict)) == 1
    assert await SimulatedTransfer.count() == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1
    assert (await Tranche.select(Tranche.status).where(Tranche.id == tranche_id).first()) == {"status": "paid"}


async def test_the_database_refuses_a_second_disbursement_row(client: httpx.AsyncClient, world: World) -> None:
    from asyncpg.exceptions import UniqueViolationError

    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=1000),
    )
    tranche_id = award["tranches"][0]["id"]
    for key in ("first", "second"):
        row = LedgerEntry(
            kind="disbursement",
            award=award["id"],
            budget_line=line_id,
            tranche=tranche_id,
            amount_fen=1000,
            idempotency_key=key,
        )
        if key == "first":
            await LedgerEntry.insert(row)
        else:
            with pytest.raises(UniqueViolationError):
                await LedgerEntry.insert(row)


async def test_concurrent_awards_never_overdraw_a_budget_line(client: httpx.AsyncClient, world: World) -> None:
    ids = await ranked_world(world, extra_applications=5)
    line_id = await budget_line(world, 1_000_000)  # room for two awards of 400,000 fen, not three

    async def attempt(application_id: int) -> str:
        try:
            await make_award(
                world.city_officer.principal,
                AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=400_000),
            )
            return "awarded"
        except Exception as exc:  # the DomainError code is what we count
            return getattr(exc, "code", repr(exc))

    outcomes = await asyncio.gather(*[attempt(i) for i in ids])
    assert sorted(outcomes) == ["awarded", "awarded"] + ["budget_exceeded"] * (len(ids) - 2)
    line = await read_budget_line(line_id)
    assert line.obligated_fen == 800_000 and line.available_fen == 200_000
    assert await Application.count().where(Application.status == "awarded") == 2


async def test_filed_group_awards_pay_the_custodian(client: httpx.AsyncClient, world: World) -> None:
    from app.organisations.tables import OrganisationType

    centre_id, centre_member = await factories.organisation(name="新华路街道社会组织服务中心")
    group_id, _ = await factories.organisation(org_type=OrganisationType.filed_community_group, custodian_id=centre_id)
    # The centre applies for the group (财务代管).
    application_id = await reviewed_application(world, group_id, centre_member, "楼组睦邻", 60)
    await close_world_round(world)
    line_id = await budget_line(world, 100_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=50_000),
    )
    assert award["payee_id"] == centre_id != group_id


async def test_approval_commits_while_redis_is_down_and_is_delivered_later(
    client: httpx.AsyncClient, world: World
) -> None:
    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=1000),
    )
    batch = await create_batch(
        world.city_officer.principal, BatchCreate(title="离线批次", tranche_ids=[award["tranches"][0]["id"]])
    )

    async def no_queue() -> None:
        return None

    import app.queue as queue_module

    original = queue_module.get_queue
    queue_module.get_queue = no_queue  # type: ignore[assignment]  # Redis unreachable at approval time
    try:
        approved = await approve_batch(await factories.second_officer(world.city_officer.principal), batch.id)
    finally:
        queue_module.get_queue = original
    assert approved.status == "approved"
    pending = await OutboxMessage.select().where(OutboxMessage.delivered_at.is_null())
    assert [m["job_key"] for m in pending] == [f"pay_batch:{batch.id}"]

    queue = await get_queue()
    assert queue is not None
    assert await outbox.deliver_pending(queue) == 1  # what the worker's cron sweep does once Redis is back
    assert await outbox.deliver_pending(queue) == 0
    queued = await queue.queued_jobs(queue_name=get_settings().queue_name)
    assert [job.function for job in queued].count("pay_batch") == 1
    await queue.delete(get_settings().queue_name)


async def test_a_rejected_transfer_fails_the_tranche_which_can_be_paid_in_a_new_batch(
    client: httpx.AsyncClient, world: World
) -> None:
    from app.organisations.tables import Organisation

    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=5000),
    )
    tranche_id = award["tranches"][0]["id"]
    payee = await Organisation.select(Organisation.name).where(Organisation.id == award["payee_id"]).first()
    assert payee is not None
    first = await create_batch(
        world.city_officer.principal, BatchCreate(title="会失败的批次", tranche_ids=[tranche_id])
    )
    await approve_batch(await factories.second_officer(world.city_officer.principal), first.id)
    refusing = SimulatedProvider(get_settings().effective_database_url, rejected_payees=frozenset({payee["name"]}))
    try:
        assert await pay_batch(first.id, refusing) == {"paid": 0}
    finally:
        await refusing.close()
    from programmes.disbursements.service import read_batch

    failed = await read_batch(first.id)
    assert failed.status == "completed"
    assert failed.items[0].status == "failed" and failed.items[0].tranche_status == "failed"
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 0

    second = await create_batch(world.city_officer.principal, BatchCreate(title="重新支付", tranche_ids=[tranche_id]))
    await approve_batch(await factories.second_officer(world.city_officer.principal), second.id)
    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        assert await pay_batch(second.id, provider) == {"paid": 1}
    finally:
        await provider.close()
    assert await SimulatedTransfer.count() == 1


async def test_reducing_and_cancelling_awards_release_the_budget(client: httpx.AsyncClient, world: World) -> None:
    ids = await ranked_world(world, extra_applications=1)
    line_id = await budget_line(world, 1_000_000)
    staff = world.city_officer.headers
    first = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=ids[0], budget_line_id=line_id, amount_fen=400_000, award_type="start_up"),
    )
    assert first["award_type"] == "start_up" and first["status"] == "active"
    reduced = await client.post(
        f"/awards/{first['id']}/reduce", json={"amount_fen": 300_000, "reason": "预算调整"}, headers=staff
    )
    assert reduced.status_code == 200, reduced.text
    assert reduced.json()["amount_fen"] == 300_000 and reduced.json()["tranches"][0]["amount_fen"] == 300_000
    assert (await read_budget_line(line_id)).available_fen == 700_000
    increase = await client.post(
        f"/awards/{first['id']}/reduce", json={"amount_fen": 500_000, "reason": "追加"}, headers=staff
    )
    assert increase.status_code == 422

    second = await factories.payable_award(
        world.city_officer.principal, AwardCreate(application_id=ids[1], budget_line_id=line_id, amount_fen=200_000)
    )
    await create_batch(
        world.city_officer.principal, BatchCreate(title="批次", tranche_ids=[second["tranches"][0]["id"]])
    )
    blocked = await client.post(f"/awards/{second['id']}/cancel", json={"reason": "项目终止"}, headers=staff)
    assert blocked.status_code == 409 and blocked.json()["code"] == "award_tranche_in_batch"

    cancelled = await client.post(f"/awards/{first['id']}/cancel", json={"reason": "项目终止"}, headers=staff)
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["tranches"][0]["status"] == "cancelled"
    assert (await read_budget_line(line_id)).available_fen == 800_000  # only the second award still obligates
    again = await client.post(f"/awards/{first['id']}/cancel", json={"reason": "重复"}, headers=staff)
    assert again.status_code == 409
    refused = await client.post(
        "/payment-batches", json={"title": "作废款项", "tranche_ids": [body["tranches"][0]["id"]]}, headers=staff
    )
    assert refused.status_code == 409
    reversals = (
        await LedgerEntry.select(LedgerEntry.amount_fen).where(LedgerEntry.kind == "reversal").order_by(LedgerEntry.id)
    )
    assert [r["amount_fen"] for r in reversals] == [100_000, 300_000]
