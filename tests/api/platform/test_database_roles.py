"""The app connects as a role that cannot rewrite the audit log or the ledger; even the owner cannot truncate them.

The whole suite runs as that role (tests/conftest.py migrates with the owner URL; app.piccolo_conf derives the app
role's URL from it), so every other test exercises the grants too.
"""

from __future__ import annotations

import os

import asyncpg
import pytest
from asyncpg.exceptions import InsufficientPrivilegeError, RaiseError

from app.audit import AuditEntry, record
from app.db import engine
from app.db_roles import APPEND_ONLY_TABLES, RoleSetupError, app_database_url, provision_app_role
from app.settings import Settings, get_settings
from programmes.tables import FundSource

pytestmark = pytest.mark.usefixtures("db")


async def owner() -> asyncpg.Connection:
    return await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])


async def test_the_app_is_neither_owner_nor_superuser() -> None:
    [me] = await engine().run_ddl(
        "SELECT current_user AS name, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls"
        " FROM pg_roles WHERE rolname = current_user"
    )
    assert dict(me) == {
        "name": get_settings().app_db_role,
        "rolsuper": False,
        "rolcreaterole": False,
        "rolcreatedb": False,
        "rolbypassrls": False,
    }
    owned = await engine().run_ddl("SELECT count(*) AS n FROM pg_tables WHERE tableowner = current_user")
    assert owned[0]["n"] == 0


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
async def test_app_role_cannot_update_delete_or_truncate_append_only_tables(table: str) -> None:
    await record(actor_id=None, actor_role="system", action="test.write", object_type="test", object_id=1)
    count = f"SELECT count(*) AS n FROM {table}"  # noqa: S608 — our own constant
    before = (await engine().run_ddl(count))[0]["n"]
    for statement in (
        f"UPDATE {table} SET created_at = now()",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        f"ALTER TABLE {table} DISABLE TRIGGER USER",  # going around the trigger needs ownership
    ):
        with pytest.raises(InsufficientPrivilegeError):
            await engine().run_ddl(statement)
    assert (await engine().run_ddl(count))[0]["n"] == before
    [granted] = await engine().run_ddl(
        f"SELECT has_table_privilege('{table}', 'INSERT') AS insert, has_table_privilege('{table}', 'SELECT') AS select"
    )
    assert dict(granted) == {"insert": True, "select": True}


async def test_app_role_writes_other_tables_normally() -> None:
    [row] = await FundSource.insert(FundSource(name="区级财政", kind="fiscal")).returning(FundSource.id)
    await FundSource.update({FundSource.name: "区级财政资金"}).where(FundSource.id == row["id"])
    assert await FundSource.select(FundSource.name).where(FundSource.id == row["id"]) == [{"name": "区级财政资金"}]
    await FundSource.delete().where(FundSource.id == row["id"])
    assert await FundSource.count() == 0
    # Schema history belongs to migrations.
    with pytest.raises(InsufficientPrivilegeError):
        await engine().run_ddl("DELETE FROM migration")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
async def test_even_the_owner_cannot_truncate_or_rewrite(table: str) -> None:
    await record(actor_id=None, actor_role="system", action="test.write", object_type="test", object_id=1)
    connection = await owner()
    try:
        # A statement trigger: it fires on an empty table too (the row triggers refusing UPDATE/DELETE need rows).
        for statement in (f"TRUNCATE {table}", f"TRUNCATE {table} CASCADE"):
            with pytest.raises(RaiseError, match="append-only"):
                await connection.execute(statement)
    finally:
        await connection.close()
    assert await AuditEntry.count() == 1


async def test_append_only_tables_are_exactly_those_with_the_triggers() -> None:
    connection = await owner()
    try:
        # tgtype bits (pg_trigger.h): 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate. An append-only
        # trigger refuses every UPDATE and DELETE but lets INSERT through; a guard that also watches INSERT (the rubric
        # locked once review has started) is a rule about when, not an append-only table.
        rows = await connection.fetch(
            "SELECT c.relname AS table, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal"
        )
    finally:
        await connection.close()
    no_truncate = {r["table"] for r in rows if r["tgtype"] & 32 and r["tgtype"] & 2}
    no_rewrite = {r["table"] for r in rows if r["tgtype"] & 24 == 24 and r["tgtype"] & 3 == 3 and not r["tgtype"] & 4}
    assert no_truncate == no_rewrite == set(APPEND_ONLY_TABLES)


async def test_migrate_regrants_from_scratch_and_refuses_a_superuser_role() -> None:
    connection = await owner()
    try:
        role = get_settings().app_db_role
        await connection.execute(f"GRANT UPDATE, TRUNCATE ON audit_entry TO {role}")  # a stray manual grant
        assert await provision_app_role(get_settings()) == role
        privileges = await connection.fetchrow(
            "SELECT has_table_privilege($1, 'audit_entry', 'UPDATE') AS u,"
            " has_table_privilege($1, 'audit_entry', 'TRUNCATE') AS t,"
            " has_table_privilege($1, 'fund_source', 'UPDATE') AS other",
            role,
        )
        assert dict(privileges) == {"u": False, "t": False, "other": True}

        superuser = f"seedbed_test_super_{os.getpid()}"
        await connection.execute(f"CREATE ROLE {superuser} SUPERUSER")
        try:
            settings = get_settings().model_copy(update={"app_db_role": superuser})
            with pytest.raises(RoleSetupError, match="superuser"):
                await provision_app_role(settings)
        finally:
            await connection.execute(f"DROP ROLE {superuser}")
    finally:
        await connection.close()


async def test_app_url_is_the_owner_url_with_the_app_role() -> None:
    def url(owner: str, role: str = "seedbed_app", password: str = "") -> str:
        return app_database_url(Settings(database_url=owner, app_db_role=role, app_db_password=password))

    assert url("postgresql://postgres@db:5432/seedbed") == "postgresql://seedbed_app@db:5432/seedbed"
    assert (
        url("postgresql://owner:secret@db/seedbed?sslmode=require", "app", "p@ss:/w")
        == "postgresql://app:p%40ss%3A%2Fw@db/seedbed?sslmode=require"
    )
    embedded = "postgresql://postgres@/seedbed?host=/tmp/pg%20sock&port=5432"
    assert url(embedded) == "postgresql://seedbed_app@/seedbed?host=/tmp/pg%20sock&port=5432"
    assert url("postgresql://postgres@db/seedbed", role="") == "postgresql://postgres@db/seedbed"
