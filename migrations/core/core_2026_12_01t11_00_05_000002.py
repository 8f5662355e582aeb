"""Account contact and token checks, enforced by the database as well as the schemas."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T11:00:05:000002"
VERSION = "1.38.0"
DESCRIPTION = "account contact checks"

STATEMENTS = [
    "ALTER TABLE account ADD CONSTRAINT account_mobile_cn CHECK (mobile IS NULL OR mobile ~ '^1[3-9][0-9]{9}$')",
    "ALTER TABLE account ADD CONSTRAINT account_token_version_nonnegative CHECK (token_version >= 0)",
    "CREATE INDEX password_reset_token_user ON password_reset_token (\"user\")",
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
