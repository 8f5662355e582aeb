"""The one Piccolo engine, typed, and its pool lifecycle."""

from __future__ import annotations

from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine


def engine() -> PostgresEngine:
    found = engine_finder()
    if not isinstance(found, PostgresEngine):
        raise RuntimeError("Seedbed needs the PostgreSQL engine from app.piccolo_conf (PICCOLO_CONF)")
    return found


async def open_pool(min_size: int, max_size: int) -> None:
    # asyncpg's min_size defaults to 10; always set both.
    await engine().start_connection_pool(min_size=min_size, max_size=max_size)


async def close_pool() -> None:
    await engine().close_connection_pool()
