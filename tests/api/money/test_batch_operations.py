"""Batch operations: re-running the payment job of an approved batch whose job was lost, and choosing the payment
provider by setting (a tiny provider class of the tests plugged in by its dotted name)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.audit import AuditEntry
from app.outbox import OutboxMessage
from app.queue import get_queue
from app.settings import Settings, get_settings
from app.site import worker
from programmes.disbursements.provider import (
    PayeeAccount,
    ProviderConfigError,
    SimulatedProvider,
    TransferReceipt,
    build_provider,
)
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch, progress_summary_zh, read_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import PaymentBatch, PaymentBatchItem, SimulatedTransfer
from tests import factories
from tests.factories.money_world import city_award, pudong_award
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts


class RecordingProvider:
    """A connector as a deployment would plug one in: built from the settings, remembers each key it paid."""

    def __init__(self, settings: Settings) -> None:
        self.queue_name = settings.queue_name
        self.paid: dict[str, int] = {}

    async def transfer(self, *, idempotency_key: str, payee: PayeeAccount, amount_fen: int) -> TransferReceipt:
        done = idempotency_key in self.paid
        self.paid.setdefault(idempotency_key, amount_fen)
        return TransferReceipt(f"TEST-{idempotency_key}", already_done=done)


NotAProvider = object


async def approved_batch(world: World) -> int:
    award = await city_award(world, 400_000)
    batch = await create_batch(
        world.city_officer.principal, BatchCreate(title="第一批", tranche_ids=[award["tranches"][0]["id"]])
    )
    await approve_batch(await factories.second_officer(world.city_officer.principal), batch.id)
    return int(batch.id)


async def lose_the_job(batch_id: int) -> None:
    """What a flushed Redis or a job that gave up looks like: the job is gone, the batch is still approved."""
    queue = await get_queue()
    assert queue is not None
    name = get_settings().queue_name
    assert await queue.delete(name, f"arq:job:{name}:pay_batch:{batch_id}") == 2


async def test_a_batch_whose_job_was_lost_is_rerun_and_paid_once(client: httpx.AsyncClient, world: World) -> None:
    batch_id = await approved_batch(world)
    await lose_the_job(batch_id)
    await run_worker_burst()
    assert (await read_batch(batch_id)).status == "approved"  # nothing ran: the job was lost
    assert await SimulatedTransfer.count() == 0

    response = await client.post(f"/payment-batches/{batch_id}/rerun", headers=world.city_officer.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    [rerun] = await OutboxMessage.select(OutboxMessage.job_key).where(
        OutboxMessage.job_key.like(f"pay_batch:{batch_id}:rerun:%")
    )
    audit = await AuditEntry.select().where(AuditEntry.action == "payment_batch.rerun").first()
    assert audit is not None and audit["actor_id"] == world.city_officer.id and audit["object_id"] == batch_id
    await run_worker_burst()

    batch = await read_batch(batch_id)
    assert batch.status == "completed" and [i.status for i in batch.items] == ["paid"]
    assert await SimulatedTransfer.count() == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1
    assert progress_summary_zh(batch) == (
        f"支付批次 {batch_id}「第一批」已完成：已支付 1 笔（4,000.00 元），失败 0 笔（0.00 元），待支付 0 笔（0.00 元）"
    )

    done = await client.post(f"/payment-batches/{batch_id}/rerun", headers=world.city_officer.headers)
    assert done.status_code == 409 and done.json()["code"] == "batch_not_rerunnable"


async def test_a_rerun_next_to_the_original_job_still_pays_once(client: httpx.AsyncClient, world: World) -> None:
    batch_id = await approved_batch(world)  # the original job is still queued
    response = await client.post(f"/payment-batches/{batch_id}/rerun", headers=world.city_officer.headers)
    assert response.status_code == 200, response.text
    await run_worker_burst()
    assert await SimulatedTransfer.count() == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1
    assert (await read_batch(batch_id)).status == "completed"


async def test_rerun_is_refused_for_drafts_and_outside_scope(client: httpx.AsyncClient, world: World) -> None:
    award = await pudong_award(world, 200_000)
    draft = await create_batch(
        world.pudong_officer.principal, BatchCreate(title="浦东草稿", tranche_ids=[award["tranches"][0]["id"]])
    )
    before = await row_counts()
    refused = await client.post(f"/payment-batches/{draft.id}/rerun", headers=world.pudong_officer.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "batch_not_rerunnable"
    assert refused.headers["content-type"].startswith("application/problem+json")
    for user, status in ((world.changning_officer, 404), (world.other_applicant, 403), (world.expert, 403)):
        response = await client.post(f"/payment-batches/{draft.id}/rerun", headers=user.headers)
        assert response.status_code == status, response.text
    assert (await client.post("/payment-batches/999999/rerun", headers=world.admin.headers)).status_code == 404
    assert await row_counts() == before


def test_the_provider_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().payment_provider == "simulated"
    assert isinstance(build_provider(Settings()), SimulatedProvider)
    monkeypatch.setenv("SEEDBED_PAYMENT_PROVIDER", "tests.api.money.test_batch_operations:RecordingProvider")
    provider = build_provider(Settings())
    assert isinstance(provider, RecordingProvider) and provider.queue_name == get_settings().queue_name


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("bank", "expected 'simulated' or 'package.module:ClassName'"),
        ("tests.no_such_module:Bank", "cannot import tests.no_such_module"),
        ("tests.api.money.test_batch_operations:Missing", "has no class Missing"),
        ("tests.api.money.test_batch_operations:NotAProvider", "has no transfer() method"),
    ],
)
def test_an_unknown_provider_is_a_clear_error(value: str, message: str) -> None:
    with pytest.raises(ProviderConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_provider(Settings(payment_provider=value))


async def test_the_worker_refuses_to_start_with_a_bad_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "get_settings", lambda: Settings(payment_provider="nowhere:Bank"))
    monkeypatch.setattr(worker, "configure_logging", lambda level: None)
    ctx: dict[str, Any] = {}
    with pytest.raises(ProviderConfigError, match="SEEDBED_PAYMENT_PROVIDER='nowhere:Bank'"):
        await worker.startup(ctx)
    assert "payment_provider" not in ctx


async def test_payments_go_through_the_configured_provider(client: httpx.AsyncClient, world: World) -> None:
    provider = build_provider(Settings(payment_provider="tests.api.money.test_batch_operations:RecordingProvider"))
    assert isinstance(provider, RecordingProvider)
    batch_id = await approved_batch(world)
    await run_worker_burst(provider)
    [item] = await PaymentBatchItem.select(PaymentBatchItem.tranche, PaymentBatchItem.provider_reference).where(
        PaymentBatchItem.batch == batch_id
    )
    assert provider.paid == {f"tranche:{item['tranche']}": 400_000}
    assert item["provider_reference"] == f"TEST-tranche:{item['tranche']}"
    assert await SimulatedTransfer.count() == 0  # the simulated bank was not used
    assert (await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch_id).first()) == {
        "status": "completed"
    }
