"""Status CHECK constraints for applications, rounds, awards, payment batches and their items.

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
    "ALTER TABLE application ADD CONSTRAINT application_status"
    " CHECK (status IN ('draft', 'submitted', 'returned', 'withdrawn', 'rejected', 'in_review', 'ranked',"
    " 'advanced', 'selected', 'not_selected', 'awarded', 'approved'))",
    "ALTER TABLE round ADD CONSTRAINT round_status CHECK (status IN ('draft', 'open', 'closed'))",
    "ALTER TABLE award ADD CONSTRAINT award_status CHECK (status IN ('active', 'cancelled'))",
    "ALTER TABLE payment_batch ADD CONSTRAINT payment_batch_status"
    " CHECK (status IN ('draft', 'approved', 'completed', 'discarded'))",
    "ALTER TABLE payment_batch_item ADD CONSTRAINT payment_batch_item_status"
    " CHECK (status IN ('pending', 'paid', 'failed', 'removed'))",
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
