"""Constraints Piccolo cannot declare: composite uniques, checks, partial indexes, append-only triggers."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T22:40:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "database constraints"

STATEMENTS = [
    "ALTER TABLE review_assignment ADD CONSTRAINT review_assignment_unique UNIQUE (application, expert)",
    "ALTER TABLE ranking_entry ADD CONSTRAINT ranking_entry_rank_positive CHECK (rank > 0)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="scoring", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        # run_ddl joins the migration's transaction: all of these apply, or none do.
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
