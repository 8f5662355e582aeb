"""Two database roles: the owner runs migrations; the application connects as a role that cannot rewrite history.

The audit log and the money ledger are append-only. Triggers refuse UPDATE, DELETE and TRUNCATE on them, but a
trigger can be disabled by the table's owner or a superuser — so the API, the worker and the CLI do not connect as
either. ``seedbed migrate`` (as the owner, ``SEEDBED_DATABASE_URL``) creates the application role
(``SEEDBED_APP_DB_ROLE``) if it is missing and grants it, after every migration run:

- SELECT, INSERT, UPDATE, DELETE on every table, SELECT and USAGE on every sequence;
- on the append-only tables only SELECT and INSERT; on Piccolo's ``migration`` table only SELECT;
- never TRUNCATE, never ownership, so it can neither disable a trigger nor alter a table.

See docs/adr/0006-database-roles.md and docs/operations.md (Database roles).
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlsplit

import asyncpg

from app.settings import Settings

# Every table a trigger keeps append-only (tests/api/platform/test_database_roles.py checks this list against
# the database).
APPEND_ONLY_TABLES = ("audit_entry", "ledger_entry", "inspection_finding")
# Written by migrations only.
OWNER_WRITES_ONLY = ("migration",)


def app_database_url(settings: Settings) -> str:
    """The owner's URL with the application role as the user: same server, same database, same options."""
    owner = settings.effective_database_url
    if not settings.app_db_role:
        return owner
    parts = urlsplit(owner)
    hostport = parts.netloc.rpartition("@")[2]
    userinfo = quote(settings.app_db_role, safe="")
    if settings.app_db_password:
        userinfo += ":" + quote(settings.app_db_password, safe="")
    return parts._replace(netloc=f"{userinfo}@{hostport}").geturl()


class RoleSetupError(RuntimeError):
    """The application role cannot be made safe (e.g. it exists as a superuser)."""


async def _ensure_role(connection: asyncpg.Connection, role: str, password: str) -> None:
    # Roles are cluster-wide: parallel test runs (or two deployments migrating at once) may race to create it.
    for attempt in range(5):
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await connection.execute(
                    await connection.fetchval("SELECT format('CREATE ROLE %I LOGIN', $1::text)", role)
                )
            break
        except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
            if attempt == 4:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))
    flags = await connection.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1", role
    )
    if flags is None or flags["rolsuper"] or flags["rolbypassrls"]:
        raise RoleSetupError(f"database role {role!r} is a superuser or bypasses row security; the app must not be")
    if password:
        # Utility statements take no parameters: format() quotes the literal server-side.
        statement = await connection.fetchval(
            "SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", role, password
        )
        await connection.execute(statement)
    elif not flags["rolcanlogin"]:
        await connection.execute(await connection.fetchval("SELECT format('ALTER ROLE %I LOGIN', $1::text)", role))


async def provision_app_role(settings: Settings) -> str | None:
    """Create (if missing) and grant the application role; returns its name, or None when the app is the owner."""
    role = settings.app_db_role
    connection = await asyncpg.connect(settings.effective_database_url, timeout=30)
    try:
        if not role or role == await connection.fetchval("SELECT current_user"):
            return None
        await _ensure_role(connection, role, settings.app_db_password)
        ident = await connection.fetchval("SELECT quote_ident($1)", role)
        database = await connection.fetchval("SELECT quote_ident(current_database())")
        append_only = ", ".join(APPEND_ONLY_TABLES)
        owner_only = ", ".join(OWNER_WRITES_ONLY)
        async with connection.transaction():
            for statement in (
                f"GRANT CONNECT ON DATABASE {database} TO {ident}",
                f"GRANT USAGE ON SCHEMA public TO {ident}",
                # Start from nothing each run, so a privilege granted by hand or by an older version does not linger.
                f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ident}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {ident}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}",
                f"REVOKE UPDATE, DELETE ON {append_only} FROM {ident}",
                f"REVOKE INSERT, UPDATE, DELETE ON {owner_only} FROM {ident}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident}",
            ):
                await connection.execute(statement)
        return role
    finally:
        await connection.close()
