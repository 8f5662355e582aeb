"""Transactional outbox: jobs are recorded in the caller's transaction and handed to arq after commit.

If Redis is down at commit time the row stays pending and the worker's cron sweep delivers it later, so an
approved payment batch is never lost. Each message has a deterministic key, and ``<queue name>:<key>`` is its
arq ``_job_id``, so a message handed over twice is still queued once; every job is idempotent besides.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from arq.connections import ArqRedis
from piccolo.columns import JSONB, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.context import current_request_id
from app.settings import get_settings

log = logging.getLogger(__name__)


class OutboxMessage(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    job_name = Varchar(length=100, null=False)
    # Deterministic key (e.g. "pay_batch:42"): a second enqueue of the same work is a no-op.
    job_key = Varchar(length=200, null=False, unique=True)
    kwargs = JSONB(default={})
    request_id = Varchar(length=64, default="")
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)


# Keys staged inside the current unit of work (app.uow), which delivers them after its commit. None outside one.
staged_keys: ContextVar[list[str] | None] = ContextVar("seedbed_staged_keys", default=None)


async def stage(job_name: str, job_key: str, **kwargs: Any) -> None:
    """Record a job inside the current transaction; nothing reaches Redis until ``deliver_pending``."""
    keys = staged_keys.get()
    if keys is not None:
        keys.append(job_key)
    await OutboxMessage.raw(
        "INSERT INTO outbox_message (job_name, job_key, kwargs, request_id, created_at) "
        "VALUES ({}, {}, {}, {}, now()) ON CONFLICT (job_key) DO NOTHING",
        job_name,
        job_key,
        _json(kwargs),
        current_request_id(),
    )


async def deliver_pending(redis: ArqRedis, limit: int = 100) -> int:
    """Hand committed, undelivered messages to arq. Returns how many were delivered."""
    pending = await (
        OutboxMessage.select()
        .where(OutboxMessage.delivered_at.is_null())
        .order_by(OutboxMessage.id)
        .limit(limit)
        .output(load_json=True)
    )
    delivered = 0
    for message in pending:
        kwargs = dict(message["kwargs"])
        kwargs["request_id"] = message["request_id"]
        # arq job ids are global to the Redis database; the queue name keeps two deployments (or test runs)
        # that share one Redis from mistaking each other's jobs for duplicates.
        job_id = f"{get_settings().queue_name}:{message['job_key']}"
        await redis.enqueue_job(message["job_name"], _job_id=job_id, **kwargs)
        await OutboxMessage.update({OutboxMessage.delivered_at: datetime.now(UTC)}).where(
            OutboxMessage.id == message["id"]
        )
        delivered += 1
    return delivered


async def deliver_after_commit(redis: ArqRedis | None) -> None:
    """Best effort right after a commit; the worker's sweep retries whatever fails here."""
    if redis is None:
        return
    try:
        await deliver_pending(redis)
    except Exception:  # Redis down: the cron sweep delivers later; the commit already stands.
        log.warning("outbox delivery deferred: queue unavailable", exc_info=True)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def flush() -> None:
    """Call right after a transaction that staged messages has committed."""
    from app.queue import get_queue

    await deliver_after_commit(await get_queue())
