"""The one arq worker: ``arq app.site.worker.WorkerSettings``.

Every job carries the request id of the request that caused it, so its logs line up with the API's.
"""

from __future__ import annotations

import logging
from typing import Any

from arq import Retry, cron
from arq.cron import CronJob
from arq.typing import WorkerCoroutine

from app import outbox
from app.context import request_id_var
from app.db import close_pool, open_pool
from app.notifications import email as notification_email
from app.observability import configure_logging
from app.queue import redis_settings
from app.settings import get_settings
from app.timezone import today_shanghai
from programmes.applications import jobs as application_jobs
from programmes.applications.rescreening import rescreen_and_scan
from programmes.disbursements import jobs as disbursement_jobs
from programmes.disbursements.provider import build_provider
from programmes.disbursements.reconciliation import reconcile
from programmes.exports import service as export_service
from programmes.matching.demands import expire_due as expire_demands
from programmes.reports.reminders import send_report_reminders
from scoring.reviews.jobs import send_review_reminders

log = logging.getLogger(__name__)


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    settings.require_production_ready()
    configure_logging(settings.log_level)
    # Before the pool: a misconfigured provider stops the worker at once, with the setting's name in the error.
    ctx["payment_provider"] = build_provider(settings)
    await open_pool(1, settings.db_pool_max)


async def shutdown(ctx: dict[str, Any]) -> None:
    close = getattr(ctx["payment_provider"], "close", None)
    if close is not None:
        await close()
    await close_pool()


async def pay_batch(ctx: dict[str, Any], batch_id: int, request_id: str = "-") -> dict[str, int]:
    request_id_var.set(request_id)
    try:
        return await disbursement_jobs.pay_batch(batch_id, ctx["payment_provider"])
    except Exception as exc:
        # A transient failure (bank gateway timeout, lost connection). Rejections were already recorded per item;
        # anything else is retried with exponential backoff. Safe: paid items are skipped on the next run.
        job_try = int(ctx.get("job_try", 1))
        log.warning("pay_batch failed; retrying", extra={"batch_id": batch_id, "job_try": job_try}, exc_info=True)
        base = get_settings().payment_retry_base_seconds
        raise Retry(defer=min(base * 2 ** (job_try - 1), 3600)) from exc


async def send_notifications(ctx: dict[str, Any], request_id: str = "-") -> int:
    request_id_var.set(request_id)
    return await notification_email.send_pending_emails()


async def produce_export(ctx: dict[str, Any], export_id: int, request_id: str = "-") -> int:
    request_id_var.set(request_id)
    try:
        return await export_service.produce(export_id)
    except Exception as exc:
        await export_service.mark_failed(export_id, exc)
        raise


async def deadline_reminders(ctx: dict[str, Any]) -> int:
    return await application_jobs.send_deadline_reminders() + await send_review_reminders()


async def report_reminders(ctx: dict[str, Any]) -> dict[str, int]:
    """Daily: 中期/结项报告 due in 7 days, in 1 day, or overdue. Dedupe keys make a second run send nothing."""
    return await send_report_reminders()


async def deliver_outbox(ctx: dict[str, Any]) -> int:
    """Cron sweep: hands over anything committed while Redis was unreachable."""
    return await outbox.deliver_pending(ctx["redis"])


async def reconcile_payments(ctx: dict[str, Any]) -> dict[str, Any]:
    """Daily 对账: ledger vs tranches vs the provider's records. Read-only, so running it twice is harmless."""
    report = await reconcile()
    if report.ok:
        log.info(report.summary(), extra={"reconciliation": report.totals})
    else:
        log.error(
            report.summary() + "\n" + "\n".join(report.lines()),
            extra={"reconciliation": report.totals, "discrepancy_codes": sorted(set(report.codes()))},
        )
    return report.as_dict()


async def risk_scan(ctx: dict[str, Any]) -> dict[str, int]:
    """Daily 预警 scan for the Shanghai calendar date; running it again the same day only refreshes last_seen_at.
    Open applications are re-screened first: a certificate or grade that expired overnight changed no row."""
    counts = await rescreen_and_scan(None, today_shanghai())
    log.info("risk scan", extra={"risk_scan": counts})
    return counts


async def rescreen_organisation(ctx: dict[str, Any], organisation_id: int, request_id: str = "-") -> dict[str, int]:
    """Right after an organisation's facts changed (staged by the write path): re-screen its open applications
    and run the 预警 scan. Idempotent, so a message delivered twice does no harm."""
    request_id_var.set(request_id)
    return await rescreen_and_scan([organisation_id], today_shanghai())


async def expire_matching_demands(ctx: dict[str, Any]) -> int:
    """Daily 聚力计划: demands still open after their period ended expire. A second run finds nothing to do."""
    return await expire_demands(today_shanghai())


def namespaced_cron(coroutine: WorkerCoroutine, queue_name: str, **schedule: Any) -> CronJob:
    """arq's ``cron`` with the deployment's queue name in the job's name, and so in every run's job id.

    arq ids a unique cron run ``<name>:<scheduled time>`` and its name defaults to ``cron:<function>``: ids global
    to the Redis database, so of two deployments sharing one Redis (say production and staging, with different
    ``SEEDBED_QUEUE_NAME``) only the first to enqueue a scheduled run got it, and the other's cron silently never ran.
    """
    return cron(coroutine, name=f"{queue_name}:cron:{coroutine.__qualname__}", **schedule)


def scheduled_jobs(queue_name: str) -> list[CronJob]:
    """The worker's cron jobs, named for ``queue_name``. All ``unique``: with several workers of one deployment
    each scheduled run happens once."""
    return [
        namespaced_cron(deliver_outbox, queue_name, second={0, 15, 30, 45}, run_at_startup=True, unique=True),
        # Hourly: a reminder is due once a round is inside the 3-day or 1-day window; keys make repeats no-ops.
        namespaced_cron(deadline_reminders, queue_name, minute={5}, second={0}, run_at_startup=True, unique=True),
        # Daily at 08:00 (and at startup, so a worker that was down catches up): report reminders and 逾期 notices.
        namespaced_cron(
            report_reminders, queue_name, hour={8}, minute={0}, second={0}, run_at_startup=True, unique=True
        ),
        # Daily at 02:30 (the worker's clock): reconciliation; discrepancies are logged at ERROR.
        namespaced_cron(reconcile_payments, queue_name, hour={2}, minute={30}, second={0}, unique=True),
        # Daily at 07:00 (the worker's clock), before officers start work: risk warnings (预警).
        namespaced_cron(risk_scan, queue_name, hour={7}, minute={0}, second={0}, unique=True),
        # Daily at 00:20 (and at startup, to catch up): 聚力计划 demands past their period expire.
        namespaced_cron(
            expire_matching_demands, queue_name, hour={0}, minute={20}, second={0}, run_at_startup=True, unique=True
        ),
    ]


class WorkerSettings:
    functions = [pay_batch, send_notifications, produce_export, rescreen_organisation]
    cron_jobs = scheduled_jobs(get_settings().queue_name)
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    queue_name = get_settings().queue_name
    max_tries = 5
    job_timeout = 600
