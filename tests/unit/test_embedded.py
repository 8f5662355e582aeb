"""The embedded default starts, answers, persists across restarts and stops, even next to local services.

Linux only: process states are read from /proc.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import redis

from app.embedded import resolve_services, start_embedded_postgres, start_embedded_redis
from app.settings import Settings


def _gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":  # exited; the postmaster's parent is init, which reaps it lazily
            return True
        time.sleep(0.05)
    return False


async def _fetch(url: str, query: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def test_embedded_postgres_and_redis_start_answer_persist_and_stop(tmp_path: Path) -> None:
    pg = start_embedded_postgres(tmp_path)
    try:
        cache = start_embedded_redis(tmp_path)
        try:
            assert asyncio.run(_fetch(pg.url, "SELECT 1")) == 1
            asyncio.run(_fetch(pg.url, "CREATE TABLE kept (id int)"))
            client = redis.Redis.from_url(cache.url)
            assert client.ping()
            client.set("kept", "yes")
            client.close()
        finally:
            cache.stop()
    finally:
        pg.stop()
    assert _gone(pg.pid)
    assert _gone(cache.pid)
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()

    # A second start reuses the data directory instead of initialising a new cluster.
    pg, cache = start_embedded_postgres(tmp_path), start_embedded_redis(tmp_path)
    try:
        assert asyncio.run(_fetch(pg.url, "SELECT to_regclass('kept')::text")) == "kept"
        client = redis.Redis.from_url(cache.url)
        assert client.get("kept") == b"yes"
        client.close()
    finally:
        cache.stop()
        pg.stop()
    assert _gone(pg.pid)
    assert _gone(cache.pid)


def test_explicit_urls_win_and_nothing_is_started(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(
        database_url="postgresql://someone@db.invalid:5433/elsewhere",
        redis_url="redis://cache.invalid:6380/2",
        data_dir=data_dir,
    )
    services = resolve_services(settings)
    assert services.database_url == "postgresql://someone@db.invalid:5433/elsewhere"
    assert services.redis_url == "redis://cache.invalid:6380/2"
    assert services.embedded == []
    assert not data_dir.exists()
    services.stop()
