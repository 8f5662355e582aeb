"""Two deployments (different ``SEEDBED_QUEUE_NAME``) on one Redis: each one's cron jobs still run, in its own worker.

Before the cron names carried the queue name, both workers enqueued the same scheduled run under the same arq job id
(``cron:<function>:<time>``), and whichever came second was refused as a duplicate: its deployment's cron never ran.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from arq.worker import Worker

from app.queue import redis_settings
from app.settings import get_settings
from app.site.worker import WorkerSettings, namespaced_cron

RUN_FOR_SECONDS = 3.5
runs: list[tuple[str, str]] = []


async def every_second(ctx: dict[str, Any]) -> None:
    runs.append((ctx["deployment"], ctx["job_id"]))


def _worker(queue_name: str) -> Worker:
    return Worker(
        functions=[],
        cron_jobs=[namespaced_cron(every_second, queue_name, second=set(range(60)), unique=True)],
        redis_settings=redis_settings(),
        queue_name=queue_name,
        ctx={"deployment": queue_name},
        handle_signals=False,
        poll_delay=0.05,
    )


async def test_two_deployments_on_one_redis_both_run_their_crons() -> None:
    runs.clear()
    queues = [f"{get_settings().queue_name}:{deployment}" for deployment in ("city", "staging")]
    workers = [_worker(queue) for queue in queues]
    tasks = [asyncio.create_task(worker.main()) for worker in workers]
    try:
        await asyncio.sleep(RUN_FOR_SECONDS)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for worker in workers:
            await worker.pool.delete(worker.queue_name)  # scheduled runs not yet due
            await worker.close()

    for queue in queues:
        own = [job_id for deployment, job_id in runs if deployment == queue]
        assert len(own) >= 2, (queue, runs)
        # Each deployment ran its own scheduled runs, named after its own queue.
        assert all(job_id.startswith(f"{queue}:cron:every_second:") for job_id in own), own
        assert len(set(own)) == len(own)  # each scheduled run once


def test_every_scheduled_job_of_the_worker_carries_the_queue_name() -> None:
    queue = get_settings().queue_name
    assert WorkerSettings.cron_jobs
    assert all(job.name == f"{queue}:cron:{job.coroutine.__qualname__}" for job in WorkerSettings.cron_jobs)
