"""Objections gain ``rereviewed`` (the re-review after an upheld objection ended and the notice was corrected)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:05:000001"
VERSION = "1.38.0"
DESCRIPTION = "objection status rereviewed"

STATEMENTS = [
    "ALTER TABLE objection DROP CONSTRAINT objection_status",
    "ALTER TABLE objection ADD CONSTRAINT objection_status"
    " CHECK (status IN ('open', 'upheld', 'dismissed', 'rereviewed'))",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scoring", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
