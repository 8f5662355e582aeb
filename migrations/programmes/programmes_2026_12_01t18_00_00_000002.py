"""An application may end a stage 未晋级 (not_advanced): the status CHECK gains the state (tests/core/
test_workflow_registry.py compares it with the registry)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:00:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "application status not_advanced"

STATEMENTS = [
    "ALTER TABLE application DROP CONSTRAINT application_status",
    "ALTER TABLE application ADD CONSTRAINT application_status"
    " CHECK (status IN ('draft', 'submitted', 'returned', 'withdrawn', 'rejected', 'in_review', 'ranked',"
    " 'advanced', 'selected', 'not_selected', 'awarded', 'approved', 'not_advanced'))",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
