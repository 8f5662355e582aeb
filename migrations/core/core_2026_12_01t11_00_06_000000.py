"""The audit log refuses TRUNCATE too (row triggers never fire on it; this statement trigger does).

The app role has no TRUNCATE privilege either (app/db_roles.py); this guards the owner's own connections.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T11:00:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_entry refuses TRUNCATE"

STATEMENTS = [
    "CREATE FUNCTION audit_entry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'audit_entry is append-only: TRUNCATE refused'; END $$",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
