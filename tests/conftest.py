"""Tests run against a real PostgreSQL and Redis.

One database per run (``seedbed_test_<pid>``) is created and migrated with the project's own ``seedbed migrate``;
every test starts from empty tables (TRUNCATE after each test). Redis jobs go to a queue of this run's own.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

ADMIN_DSN = os.environ.get("SEEDBED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DB = f"seedbed_test_{os.getpid()}"
TEST_DSN = ADMIN_DSN.rsplit("/", 1)[0] + f"/{TEST_DB}"
os.environ["SEEDBED_DATABASE_URL"] = TEST_DSN
os.environ["SEEDBED_REDIS_URL"] = os.environ.get("SEEDBED_TEST_REDIS", "redis://127.0.0.1:6379/0")
os.environ["SEEDBED_QUEUE_NAME"] = f"seedbed:test:{os.getpid()}"
os.environ["PICCOLO_CONF"] = "app.piccolo_conf"
os.environ["SEEDBED_LOG_LEVEL"] = "WARNING"

KEEP_TABLES = {"migration"}


async def _admin_execute(*statements: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    # Before any event loop exists: create and migrate this run's database with the real migrate command.
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{TEST_DB}"', f'CREATE DATABASE "{TEST_DB}"'))
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"], env=dict(os.environ), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database() -> str:
    return TEST_DSN


@pytest.fixture(scope="session")
async def engine(database: str) -> AsyncIterator[object]:
    from piccolo.engine import engine_finder

    from app.queue import close_queue

    db = engine_finder()
    assert db is not None
    await db.start_connection_pool(min_size=1, max_size=20)
    yield db
    await close_queue()
    await db.close_connection_pool()


@pytest.fixture(scope="session")
async def truncate_statement(engine: object) -> str:
    connection = await asyncpg.connect(TEST_DSN)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    names = ", ".join(f'"{r["tablename"]}"' for r in rows if r["tablename"] not in KEEP_TABLES)
    return f"TRUNCATE {names} RESTART IDENTITY CASCADE"


@pytest.fixture
async def db(truncate_statement: str) -> AsyncIterator[None]:
    """Any test touching the database asks for this (``client`` does): tables are emptied afterwards."""
    yield
    connection = await asyncpg.connect(TEST_DSN)
    try:
        await connection.execute(truncate_statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def app(engine: object) -> object:
    from app.asgi import create_app

    return create_app(manage_pool=False)


@pytest.fixture
async def client(app: object, db: None) -> AsyncIterator[object]:
    import httpx

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
