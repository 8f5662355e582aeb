"""The outbox under concurrency: a unit of work delivers only its own messages; the sweep claims the rest once.

Many units of work commit at the same time while two sweepers (the worker's cron, twice) run ``deliver_pending``.
Two counters, both on the real thing: every ``enqueue_job`` call reaching arq's Redis client (deliveries), and a
PostgreSQL trigger row for every update that sets ``delivered_at`` (marks). Each message must show exactly one of
each — before this mechanism, every commit handed *all* pending messages to Redis and each was marked 20+ times.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from arq import create_pool
from arq.connections import ArqRedis

from app import outbox
from app.db import engine
from app.outbox import OutboxMessage
from app.queue import redis_settings
from app.settings import get_settings
from app.uow import unit_of_work
from app.workflow.engine import Actor

UNITS = 40
MESSAGES_PER_UNIT = 3

_PROBE = """
CREATE TABLE outbox_mark_probe (job_key text NOT NULL);
GRANT INSERT ON outbox_mark_probe TO "{role}";
CREATE FUNCTION outbox_mark_probe_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_mark_probe (job_key) VALUES (NEW.job_key);
    RETURN NEW;
END $$;
CREATE TRIGGER outbox_mark_probe AFTER UPDATE OF delivered_at ON outbox_message
    FOR EACH ROW WHEN (NEW.delivered_at IS NOT NULL) EXECUTE FUNCTION outbox_mark_probe_record();
"""
_UNPROBE = """
DROP TRIGGER IF EXISTS outbox_mark_probe ON outbox_message;
DROP FUNCTION IF EXISTS outbox_mark_probe_record();
DROP TABLE IF EXISTS outbox_mark_probe;
"""


@pytest.fixture
async def marks(database: str, db: None) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to this run's database with a trigger counting every delivery mark."""
    connection = await asyncpg.connect(database)
    role = get_settings().app_db_role or "postgres"
    await connection.execute(_PROBE.format(role=role))
    try:
        yield connection
    finally:
        await connection.execute(_UNPROBE)
        await connection.close()


@pytest.fixture
def deliveries(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts every job handed to Redis by any ArqRedis client (the real enqueue still happens)."""
    counted: Counter[str] = Counter()
    real_enqueue = ArqRedis.enqueue_job

    async def counting_enqueue(self: ArqRedis, function: str, *args: Any, **kwargs: Any) -> Any:
        counted[str(kwargs.get("_job_id"))] += 1
        return await real_enqueue(self, function, *args, **kwargs)

    monkeypatch.setattr(ArqRedis, "enqueue_job", counting_enqueue)
    return counted


async def _pending() -> int:
    return await OutboxMessage.count().where(OutboxMessage.delivered_at.is_null())


async def test_concurrent_units_and_two_sweepers_deliver_each_message_once(
    marks: asyncpg.Connection, deliveries: Counter[str]
) -> None:
    run = uuid.uuid4().hex[:8]
    keys = [f"probe:{run}:{unit}:{n}" for unit in range(UNITS) for n in range(MESSAGES_PER_UNIT)]

    async def one_request(unit: int) -> None:
        async with unit_of_work(Actor.system()) as uow:
            for n in range(MESSAGES_PER_UNIT):
                await uow.stage("send_notifications", f"probe:{run}:{unit}:{n}")
                await asyncio.sleep(0)  # interleave with the other requests and the sweepers

    requests_done = asyncio.Event()

    async def sweeper(redis: ArqRedis) -> int:
        swept = 0
        while not requests_done.is_set() or await _pending():
            swept += await outbox.deliver_pending(redis, limit=10)
            await asyncio.sleep(0.001)
        return swept

    # Two sweepers as two workers would be: each its own Redis connection pool.
    sweepers = [await create_pool(redis_settings(), default_queue_name=get_settings().queue_name) for _ in range(2)]
    try:
        sweeps = [asyncio.create_task(sweeper(redis)) for redis in sweepers]
        await asyncio.gather(*(one_request(unit) for unit in range(UNITS)))
        requests_done.set()
        await asyncio.gather(*sweeps)
    finally:
        for redis in sweepers:
            await redis.aclose()

    assert await _pending() == 0
    marked = Counter(row["job_key"] for row in await marks.fetch("SELECT job_key FROM outbox_mark_probe"))
    assert sorted(marked) == sorted(keys)
    assert set(marked.values()) == {1}, f"marked more than once: {sum(marked.values()) - len(keys)} extra marks"
    queue = get_settings().queue_name
    assert {key: deliveries[f"{queue}:{key}"] for key in keys} == dict.fromkeys(keys, 1)


async def test_a_commit_delivers_its_own_messages_and_leaves_the_rest_to_the_sweep(
    marks: asyncpg.Connection, deliveries: Counter[str]
) -> None:
    run = uuid.uuid4().hex[:8]
    # Committed while Redis was unreachable (a plain transaction delivers nothing itself): the sweep's job.
    async with engine().transaction():
        await outbox.stage("send_notifications", f"left:{run}")
    async with unit_of_work(Actor.system()) as uow:
        await uow.stage("send_notifications", f"own:{run}")

    queue = get_settings().queue_name
    assert deliveries == Counter({f"{queue}:own:{run}": 1})
    assert [r["job_key"] for r in await marks.fetch("SELECT job_key FROM outbox_mark_probe")] == [f"own:{run}"]
    assert await _pending() == 1

    redis = await create_pool(redis_settings(), default_queue_name=queue)
    try:
        assert await outbox.deliver_pending(redis) == 1
        assert await outbox.deliver_pending(redis) == 0
    finally:
        await redis.aclose()
    assert deliveries[f"{queue}:left:{run}"] == 1


async def test_redis_failing_mid_delivery_keeps_what_was_handed_over_and_leaves_the_rest_pending(
    marks: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = uuid.uuid4().hex[:8]
    async with engine().transaction():
        for n in range(3):
            await outbox.stage("send_notifications", f"flaky:{run}:{n}")
    real_enqueue = ArqRedis.enqueue_job
    calls = 0

    async def enqueue_then_fail(self: ArqRedis, function: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("Redis went away")
        return await real_enqueue(self, function, *args, **kwargs)

    monkeypatch.setattr(ArqRedis, "enqueue_job", enqueue_then_fail)
    redis = await create_pool(redis_settings(), default_queue_name=get_settings().queue_name)
    try:
        with pytest.raises(ConnectionError):
            await outbox.deliver_pending(redis)
        # The first message reached Redis, so its mark stands; the other two wait for the next sweep.
        assert [r["job_key"] for r in await marks.fetch("SELECT job_key FROM outbox_mark_probe")] == [f"flaky:{run}:0"]
        assert await _pending() == 2
        assert await outbox.deliver_pending(redis) == 2
    finally:
        await redis.aclose()
    assert await _pending() == 0
