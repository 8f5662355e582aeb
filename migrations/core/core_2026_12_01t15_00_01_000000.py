"""A status CHECK constraint for credit-code claims (认领).

Hand-written: the allowed values are the states of the table's workflows today (app.workflow.registry);
tests/core/test_workflow_registry.py compares every status CHECK with the registry, so a new state needs a migration
like this one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "status CHECK constraints derived from the workflow registry"

STATEMENTS = [
    "ALTER TABLE organisation_claim ADD CONSTRAINT organisation_claim_status"
    " CHECK (status IN ('pending', 'approved', 'rejected'))",
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
