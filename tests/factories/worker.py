"""Running the real arq worker from tests."""

from __future__ import annotations

from arq.worker import Worker

from app.db_roles import app_database_url
from app.queue import redis_settings
from app.settings import get_settings
from app.site.worker import WorkerSettings
from programmes.disbursements.provider import PaymentProvider, SimulatedProvider


async def run_worker_burst(provider: PaymentProvider | None = None) -> None:
    """A real arq worker in burst mode on this run's queue: runs what was handed over (retries included), then
    returns. Without ``provider`` it pays through a SimulatedProvider it opens and closes itself."""
    # As the app role, like the worker's own provider (build_provider).
    own = SimulatedProvider(app_database_url(get_settings())) if provider is None else None
    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=redis_settings(),
        queue_name=get_settings().queue_name,
        burst=True,
        handle_signals=False,
        ctx={"payment_provider": provider or own},
        poll_delay=0.05,
        max_tries=WorkerSettings.max_tries,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
        if own is not None:
            await own.close()
