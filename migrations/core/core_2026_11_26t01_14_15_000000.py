"""Bank accounts: one verified account per organisation, enforced by the database."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T01:14:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "bank account checks"

STATEMENTS = [
    "CREATE UNIQUE INDEX bank_account_one_verified ON bank_account (organisation) WHERE status = 'verified'",
    "ALTER TABLE bank_account ADD CONSTRAINT bank_account_status CHECK"
    " (status IN ('pending', 'verified', 'rejected', 'superseded'))",
    "ALTER TABLE bank_account ADD CONSTRAINT bank_account_number_digits CHECK (account_number ~ '^[0-9]{8,32}$')",
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
