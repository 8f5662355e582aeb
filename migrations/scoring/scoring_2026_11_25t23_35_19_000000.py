"""Constraints for the expert pool, conflicts and 公示."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:35:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "conflict, affiliation, objection and publication constraints"

STATEMENTS = [
    "ALTER TABLE expert_affiliation ADD CONSTRAINT expert_affiliation_unique UNIQUE (expert, organisation)",
    # One live conflict per pair; revoked ones stay for the record.
    "CREATE UNIQUE INDEX conflict_of_interest_live ON conflict_of_interest (expert, organisation)"
    " WHERE revoked_at IS NULL",
    "ALTER TABLE conflict_of_interest ADD CONSTRAINT conflict_source CHECK (source IN ('declared', 'officer'))",
    "ALTER TABLE objection ADD CONSTRAINT objection_status CHECK (status IN ('open', 'upheld', 'dismissed'))",
    "ALTER TABLE publication ADD CONSTRAINT publication_window CHECK (starts_at < ends_at)",
    "ALTER TABLE expert_profile ADD CONSTRAINT expert_profile_load CHECK (max_load_per_round >= 0)",
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
