"""Tests run against a real PostgreSQL and Redis.

One database per run (``seedbed_test_<pid>``) is created and migrated with the project's own ``seedbed migrate``;
every test starts from empty tables (TRUNCATE after each test). Redis jobs go to a queue of this run's own.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

KEEP_TABLES = {"migration"}
RUN = os.getpid()
TEST_DB = f"seedbed_test_{RUN}"
APP_ROLE = f"seedbed_test_app_{RUN}"
_services: dict[str, str] = {}
_embedded: list[object] = []


def _with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _resolve_services() -> tuple[str, str]:
    """The machine's PostgreSQL/Redis (or SEEDBED_TEST_POSTGRES / SEEDBED_TEST_REDIS); embedded ones if none answer."""
    from app.embedded import port_answers, start_embedded_postgres, start_embedded_redis

    data_dir = Path(__file__).resolve().parent.parent / ".seedbed" / "test"
    postgres = os.environ.get("SEEDBED_TEST_POSTGRES")
    if not postgres:
        if port_answers("127.0.0.1", 5432):
            postgres = "postgresql://postgres@127.0.0.1:5432/postgres"
        else:
            service = start_embedded_postgres(data_dir)
            _embedded.append(service)
            postgres = _with_database(service.url, "postgres")
    redis = os.environ.get("SEEDBED_TEST_REDIS")
    if not redis:
        if port_answers("127.0.0.1", 6379):
            redis = "redis://127.0.0.1:6379/0"
        else:
            service = start_embedded_redis(data_dir)
            _embedded.append(service)
            redis = service.url
    return postgres, redis


async def _admin_execute(*statements: str) -> None:
    connection = await asyncpg.connect(_services["admin"])
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _configure() -> None:
    # Runs when this root conftest is imported, i.e. before any other conftest or test module can import app
    # settings (a sub-directory conftest named on the command line is imported before pytest_sessionstart).
    admin, redis = _resolve_services()
    _services.update(admin=admin, test=_with_database(admin, TEST_DB))
    os.environ.update(
        SEEDBED_DATABASE_URL=_services["test"],
        SEEDBED_REDIS_URL=redis,
        SEEDBED_QUEUE_NAME=f"seedbed:test:{RUN}",
        PICCOLO_CONF="app.piccolo_conf",
        SEEDBED_LOG_LEVEL="WARNING",
        SEEDBED_PAYMENT_RETRY_BASE_SECONDS="1",
        # Every test calls from 127.0.0.1 within minutes; tests/api/organisations/test_rate_limits.py sets its
        # own limits.
        SEEDBED_RATE_LIMIT_LOGIN_PER_IP="100000/minute",
        SEEDBED_RATE_LIMIT_LOGIN_PER_USERNAME="100000/minute",
        SEEDBED_RATE_LIMIT_REGISTER_PER_IP="100000/minute",
        SEEDBED_RATE_LIMIT_REGISTER_PER_USERNAME="100000/minute",
        SEEDBED_RATE_LIMIT_RESET_PER_IP="100000/minute",
        SEEDBED_RATE_LIMIT_RESET_PER_ACCOUNT="100000/minute",
        SEEDBED_RATE_LIMIT_OPEN_DATA_PER_IP="100000/minute",
        SEEDBED_STORAGE_DIR=tempfile.mkdtemp(prefix="seedbed-files-"),
        # The app (and so every test) connects as an app role that `seedbed migrate` creates (app/db_roles.py). One
        # of this run's own, with a password so it also logs in where the server asks for one; dropped at the end.
        SEEDBED_APP_DB_ROLE=APP_ROLE,
        SEEDBED_APP_DB_PASSWORD=secrets.token_urlsafe(16),
    )


_configure()


def pytest_sessionstart(session: pytest.Session) -> None:
    # Before any event loop exists: create and migrate this run's database with the real `seedbed migrate`.
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{TEST_DB}"', f'CREATE DATABASE "{TEST_DB}"'))
    result = subprocess.run(
        [sys.executable, "-m", "app.site.cli", "migrate"], env=dict(os.environ), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if "admin" in _services:
        asyncio.run(
            _admin_execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{APP_ROLE}"')
        )
    for service in reversed(_embedded):
        service.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def database() -> str:
    return _services["test"]


@pytest.fixture(scope="session")
async def engine(database: str) -> AsyncIterator[object]:
    from piccolo.apps.user.tables import BaseUser
    from piccolo.engine import engine_finder

    from app.queue import close_queue

    # OWASP's 600k PBKDF2 rounds cost ~0.3 s per account; tests make hundreds. Hashes record their own
    # round count, so logins still verify exactly as in production.
    BaseUser._pbkdf2_iteration_count = 1_000
    db = engine_finder()
    assert db is not None
    await db.start_connection_pool(min_size=1, max_size=20)
    yield db
    await close_queue()
    await db.close_connection_pool()


@pytest.fixture(scope="session")
async def truncate_statement(engine: object) -> str:
    connection = await asyncpg.connect(_services["test"])
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    names = ", ".join(f'"{r["tablename"]}"' for r in rows if r["tablename"] not in KEEP_TABLES)
    # Identities are not restarted: ids stay unique for the whole run, as they are in production, so a
    # deterministic job id (pay_batch:<id>) from one test can never shadow another test's job.
    return f"TRUNCATE {names} CASCADE"


@pytest.fixture
async def db(truncate_statement: str) -> AsyncIterator[None]:
    """Any test touching the database asks for this (``client`` does): tables are emptied afterwards."""
    yield
    from app.queue import get_queue
    from app.settings import get_settings

    shutil.rmtree(get_settings().storage_dir, ignore_errors=True)  # stored attachments and exports
    queue = await get_queue()
    if queue is not None:
        await queue.delete(get_settings().queue_name)  # jobs a test staged but never ran
    connection = await asyncpg.connect(_services["test"])
    try:
        # audit_entry and ledger_entry refuse TRUNCATE by trigger (and the app role may not truncate at all). This
        # cleanup connects as the superuser owner and switches to replica mode, in which ordinary triggers — that
        # statement trigger included — do not fire; only a superuser may set it, so the app can never do this.
        await connection.execute("SET session_replication_role = replica")
        await connection.execute(truncate_statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def app(engine: object) -> object:
    from app.site.asgi import create_app

    return create_app(manage_pool=False)


@pytest.fixture
async def client(app: object, db: None) -> AsyncIterator[object]:
    import httpx

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
