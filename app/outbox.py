"""Transactional outbox: jobs are recorded in the caller's transaction and handed to arq after commit.

If Redis is down at commit time the row stays pending and the worker's cron sweep delivers it later, so an
approved payment batch is never lost. Each message has a deterministic key, and ``<queue name>:<key>`` is its
arq ``_job_id``, so a message handed over twice is still queued once; every job is idempotent besides.

Who delivers what: a unit of work (app.uow) hands over only the messages it staged, right after its own commit;
everything else pending (Redis was down, or a plain transaction staged it) is the worker's sweep's. Both claim
rows with ``FOR UPDATE SKIP LOCKED`` and mark them in the same transaction, so each message is marked once even
with many requests and several workers at the same time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from arq.connections import ArqRedis
from piccolo.columns import JSONB, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.context import current_request_id
from app.db import engine
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


# The claim: rows another sweeper or request holds are skipped, not waited for, so no message is handed over by two
# deliverers at once. The lock lasts until the marks commit.
_CLAIM_PENDING = (
    "SELECT id, job_name, job_key, kwargs, request_id FROM outbox_message WHERE delivered_at IS NULL "
    "ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED"
)
_CLAIM_KEYS = (
    "SELECT id, job_name, job_key, kwargs, request_id FROM outbox_message WHERE delivered_at IS NULL "
    "AND job_key = ANY({}) ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED"
)


async def deliver_pending(redis: ArqRedis, limit: int = 100, keys: Sequence[str] | None = None) -> int:
    """Claim committed, undelivered messages (all of them, or only ``keys``), hand them to arq and mark each
    delivered, once. Returns how many were delivered.

    If Redis fails part-way, the messages already handed over keep their mark and the error is raised after the
    commit; the rest stay pending for the next sweep.
    """
    delivered: list[int] = []
    failure: Exception | None = None
    async with engine().transaction():
        if keys is None:
            claimed = await OutboxMessage.raw(_CLAIM_PENDING, limit)
        else:
            claimed = await OutboxMessage.raw(_CLAIM_KEYS, list(keys), limit)
        for message in claimed:
            kwargs = json.loads(message["kwargs"]) if isinstance(message["kwargs"], str) else dict(message["kwargs"])
            kwargs["request_id"] = message["request_id"]
            # arq job ids are global to the Redis database; the queue name keeps two deployments (or test runs)
            # that share one Redis from mistaking each other's jobs for duplicates.
            job_id = f"{get_settings().queue_name}:{message['job_key']}"
            try:
                await redis.enqueue_job(message["job_name"], _job_id=job_id, **kwargs)
            except Exception as exc:  # Redis down part-way: keep the marks of what reached it
                failure = exc
                break
            delivered.append(message["id"])
        if delivered:
            await OutboxMessage.raw("UPDATE outbox_message SET delivered_at = now() WHERE id = ANY({})", delivered)
    if failure is not None:
        raise failure
    return len(delivered)


async def deliver_after_commit(redis: ArqRedis | None, keys: Sequence[str]) -> None:
    """Best effort right after a commit, for that commit's own messages only: whatever else is pending (and
    whatever fails here) is the worker's sweep's, so concurrent requests never hand each other's messages over."""
    if redis is None or not keys:
        return
    try:
        await deliver_pending(redis, limit=len(keys), keys=keys)
    except Exception:  # Redis down: the cron sweep delivers later; the commit already stands.
        log.warning("outbox delivery deferred: queue unavailable", exc_info=True)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def flush(keys: Sequence[str]) -> None:
    """Call right after a transaction that staged ``keys`` has committed."""
    from app.queue import get_queue

    await deliver_after_commit(await get_queue(), keys)
