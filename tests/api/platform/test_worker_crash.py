"""A real arq worker process is SIGKILLed in the middle of a payment batch; a new worker finishes it.

What happens, step by step (this is what the test checks):

1. 30 awards → 30 released tranches in one batch; the officer approves it, and the outbox hands ``pay_batch`` to
   Redis with job id ``<queue>:pay_batch:<batch id>``.
2. Before the first worker starts, the test takes a row lock on the batch item of tranche no. 12 (from its own
   connection). The worker (``python -m arq app.site.worker.WorkerSettings``, a separate process) pays items 1–11,
   then for tranche 12 locks the tranche, asks the simulated bank to transfer (committed at once on the bank's own
   connection, as a real bank would), writes the disbursement ledger entry in its still-open transaction, and
   blocks on marking the item paid. This is the worst place to die: the bank has paid, Seedbed has not recorded
   it. The test waits (polling, up to 60 s) until tranche 12's transfer exists, then SIGKILLs the worker and drops
   its lock. PostgreSQL rolls back the dead worker's transaction, ledger entry included.
3. Right after the crash: 11 items paid, 12 transfers, 11 disbursement entries; ``reconcile()`` reports exactly one
   discrepancy, ``transfer_not_recorded`` for tranche 12.
4. arq's view: the job is still in the queue and its in-progress key ``arq:in-progress:<job id>`` lives on for
   ``job_timeout + 10 s`` (610 s) — no worker may start the job until it expires, and neither re-approving nor
   the outbox sweep can queue it again (the outbox row is delivered, and arq refuses a second job with the same
   id while the first one is queued). The test deletes the key, which is exactly what its expiry does.
5. A second worker process picks the job up as try 2 and runs ``pay_batch`` from the start: the 11 paid items are
   no longer pending; for tranche 12 the bank answers the repeated idempotency key ``tranche:<id>`` with the
   first transfer's reference instead of paying again, and that reference is recorded; the other 18 are paid.
6. After the batch completes: 30 transfers (one per tranche, none twice), 30 disbursement entries, every item paid
   with its transfer's reference, tranche 12's reference is the one from before the crash, the job finished
   successfully on try 2, and ``reconcile()`` reports nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

import asyncpg
import httpx
from arq.constants import in_progress_key_prefix
from arq.jobs import Job, JobStatus

from app.queue import get_queue
from app.settings import get_settings
from programmes.awards.schemas import AwardCreate
from programmes.disbursements.provider import PayeeAccount, SimulatedProvider, TransferReceipt
from programmes.disbursements.reconciliation import reconcile
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch, read_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import PaymentBatchItem, SimulatedTransfer
from tests import factories
from tests.factories.money import budget_line, ranked_world
from tests.factories.worker import run_worker_burst
from tests.factories.world import World

TRANCHES = 30
BLOCKED = 12  # the worker dies while paying the 12th item
TIMEOUT = 60.0


class WorkerProcess:
    """``python -m arq app.site.worker.WorkerSettings`` with this test run's environment (database, Redis, queue)."""

    def __init__(self, name: str) -> None:
        self.log_path = Path(tempfile.mkdtemp(prefix="seedbed-worker-")) / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arq", "app.site.worker.WorkerSettings"],
            env={**os.environ, "SEEDBED_LOG_LEVEL": "INFO"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it does not go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


async def wait_for(what: str, check: Callable[[], Awaitable[bool]], worker: WorkerProcess) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not await check():
        assert worker.process.poll() is None, f"worker exited while waiting for {what}:\n{worker.log()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{worker.log()}"
        await asyncio.sleep(0.05)


async def test_a_worker_killed_mid_batch_pays_every_tranche_exactly_once_after_restart(
    client: httpx.AsyncClient, world: World, database: str
) -> None:
    officer = world.city_officer.principal
    ids = await ranked_world(world, extra_applications=TRANCHES - 1)
    line_id = await budget_line(world, 100_000_000)
    tranche_ids = []
    for n, application_id in enumerate(ids):
        award = await factories.payable_award(
            officer, AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=100_000 + n)
        )
        tranche_ids.append(award["tranches"][0]["id"])
    batch = await create_batch(officer, BatchCreate(title="崩溃测试批次", tranche_ids=tranche_ids))
    blocked_tranche = sorted(tranche_ids)[BLOCKED - 1]
    blocked_item = await PaymentBatchItem.select(PaymentBatchItem.id).where(PaymentBatchItem.tranche == blocked_tranche)

    queue = await get_queue()
    assert queue is not None
    job_id = f"{get_settings().queue_name}:pay_batch:{batch.id}"

    async def transfers() -> int:
        return await SimulatedTransfer.count()

    async def paid_items() -> int:
        return await PaymentBatchItem.count().where(
            (PaymentBatchItem.batch == batch.id) & (PaymentBatchItem.status == "paid")
        )

    async def blocked_transfer_made() -> bool:
        return await SimulatedTransfer.exists().where(SimulatedTransfer.idempotency_key == f"tranche:{blocked_tranche}")

    blocker = await asyncpg.connect(database)
    started: list[WorkerProcess] = []
    try:
        blocking = blocker.transaction()
        await blocking.start()
        await blocker.execute("SELECT id FROM payment_batch_item WHERE id = $1 FOR UPDATE", blocked_item[0]["id"])
        # Commits (by a second officer: four-eyes), then the outbox enqueues pay_batch.
        await approve_batch(await factories.second_officer(officer), batch.id)

        first = WorkerProcess("first")
        started.append(first)
        await wait_for("the bank transfer for the blocked tranche", blocked_transfer_made, first)
        first.kill()  # SIGKILL: no shutdown hook, no cleanup, an open transaction on the floor
        await blocking.rollback()

        # 3. The crash left the bank ahead of the books, by exactly one tranche.
        assert await paid_items() == BLOCKED - 1
        assert await transfers() == BLOCKED
        assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == BLOCKED - 1
        crashed = await reconcile()
        assert crashed.codes() == ["transfer_not_recorded"], crashed.lines()
        assert crashed.discrepancies[0].subject == f"tranche:{blocked_tranche}"
        [first_transfer] = await SimulatedTransfer.select(SimulatedTransfer.reference).where(
            SimulatedTransfer.idempotency_key == f"tranche:{blocked_tranche}"
        )

        # 4. arq still holds the job as in progress for job_timeout + 10 s; expire that now.
        assert await queue.zscore(get_settings().queue_name, job_id) is not None
        ttl_ms = await queue.pttl(in_progress_key_prefix + job_id)
        assert 0 < ttl_ms <= (600 + 10) * 1000
        await queue.delete(in_progress_key_prefix + job_id)

        # 5. A new worker process takes the job over and finishes the batch.
        second = WorkerProcess("second")
        started.append(second)

        async def batch_completed() -> bool:
            return (await read_batch(batch.id)).status == "completed"

        await wait_for("the batch to complete", batch_completed, second)
        job = Job(job_id, queue, _queue_name=get_settings().queue_name)
        deadline = time.monotonic() + TIMEOUT
        while await job.status() != JobStatus.complete:
            assert time.monotonic() < deadline, second.log()
            await asyncio.sleep(0.05)
        result = await job.result_info()
        assert result is not None and result.success and result.job_try == 2, result
        assert result.result == {"paid": TRANCHES - (BLOCKED - 1)}
    finally:
        await blocker.close()  # first, so a worker stuck behind the test's row lock can stop
        for worker in started:
            worker.stop()
        await queue.delete(f"arq:result:{job_id}", f"arq:retry:{job_id}", f"arq:job:{job_id}")

    # 6. Every tranche paid exactly once, none lost, checked against the bank's records and the ledger.
    done = await read_batch(batch.id)
    assert {i.status for i in done.items} == {"paid"} and {i.tranche_status for i in done.items} == {"paid"}
    bank = {
        t["idempotency_key"]: t
        for t in await SimulatedTransfer.select(
            SimulatedTransfer.idempotency_key, SimulatedTransfer.reference, SimulatedTransfer.amount_fen
        )
    }
    assert len(bank) == await SimulatedTransfer.count() == TRANCHES
    assert set(bank) == {f"tranche:{t}" for t in tranche_ids}
    for item in done.items:
        assert item.provider_reference == bank[f"tranche:{item.tranche_id}"]["reference"]
        assert item.amount_fen == bank[f"tranche:{item.tranche_id}"]["amount_fen"]
    assert bank[f"tranche:{blocked_tranche}"]["reference"] == first_transfer["reference"]
    disbursed = await LedgerEntry.select(LedgerEntry.tranche).where(LedgerEntry.kind == "disbursement")
    assert sorted(d["tranche"] for d in disbursed) == sorted(tranche_ids)
    report = await reconcile()
    assert report.ok, report.lines()


class FlakyBank:
    """The simulated bank behind a gateway that times out on the first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.bank = SimulatedProvider(get_settings().effective_database_url)
        self.failures = failures
        self.calls = 0

    async def transfer(self, *, idempotency_key: str, payee: PayeeAccount, amount_fen: int) -> TransferReceipt:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("银行网关超时")
        return await self.bank.transfer(idempotency_key=idempotency_key, payee=payee, amount_fen=amount_fen)


async def test_a_transient_provider_error_is_retried_with_backoff(client: httpx.AsyncClient, world: World) -> None:
    [application_id] = await ranked_world(world)
    line_id = await budget_line(world, 1_000_000)
    award = await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=5_000),
    )
    batch = await create_batch(
        world.city_officer.principal, BatchCreate(title="网关超时", tranche_ids=[award["tranches"][0]["id"]])
    )
    await approve_batch(await factories.second_officer(world.city_officer.principal), batch.id)
    flaky = FlakyBank(failures=2)
    job_id = f"{get_settings().queue_name}:pay_batch:{batch.id}"
    try:
        await asyncio.wait_for(run_worker_burst(flaky), TIMEOUT * 2)
    finally:
        await flaky.bank.close()
        queue = await get_queue()
        assert queue is not None
        await queue.delete(f"arq:result:{job_id}", f"arq:retry:{job_id}", f"arq:job:{job_id}")
    assert (await read_batch(batch.id)).status == "completed"
    assert flaky.calls == 3 and await SimulatedTransfer.count() == 1
    assert (await reconcile()).ok
