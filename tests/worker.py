"""Running the real arq worker from tests."""

from __future__ import annotations

from arq.worker import Worker

from app.queue import redis_settings
from app.settings import get_settings
from app.worker import WorkerSettings
from programmes.disbursements.provider import SimulatedProvider


async def run_worker_burst() -> None:
    """A real arq worker in burst mode on this run's queue: runs what was handed over, then returns."""
    provider = SimulatedProvider(get_settings().effective_database_url)
    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=redis_settings(),
        queue_name=get_settings().queue_name,
        burst=True,
        handle_signals=False,
        ctx={"payment_provider": provider},
        poll_delay=0.05,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
        await provider.close()
