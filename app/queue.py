"""The arq connection pool the API uses to hand jobs to the worker."""

from __future__ import annotations

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from app.settings import get_settings

_pool: ArqRedis | None = None


def redis_settings() -> RedisSettings:
    settings = get_settings()
    return RedisSettings.from_dsn(settings.effective_redis_url)


async def get_queue() -> ArqRedis | None:
    """The shared pool, opened on first use; None when Redis cannot be reached (the outbox keeps the job)."""
    global _pool
    if _pool is None:
        try:
            _pool = await create_pool(
                redis_settings(),
                default_queue_name=get_settings().queue_name,
                retry=0,
            )
        except (OSError, ConnectionError):
            return None
    return _pool


async def close_queue() -> None:
    global _pool
    if _pool is not None:
        await _pool.aclose()
        _pool = None
