"""A notification has a recipient: an account, or an e-mail address for someone without one yet."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:11:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "notification_has_recipient"

STATEMENTS = [
    "ALTER TABLE notification ADD CONSTRAINT notification_has_recipient CHECK"
    ' ("user" IS NOT NULL OR address <> \'\')',
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
