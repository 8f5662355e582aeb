"""Fast-track constraints Piccolo cannot declare: the status CHECK (tests/core/test_workflow_registry.py compares it
with FASTTRACK_INVITATION), one live invitation per winner and round, and the origin lookup index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:02:000001"
VERSION = "1.38.0"
DESCRIPTION = "fast-track constraints and indexes"

STATEMENTS = [
    "ALTER TABLE fast_track_invitation ADD CONSTRAINT fast_track_invitation_status"
    " CHECK (status IN ('invited', 'accepted', 'declined', 'withdrawn'))",
    "ALTER TABLE fast_track_invitation ADD CONSTRAINT fast_track_invitation_not_self"
    " CHECK (origin_application <> application)",
    "CREATE UNIQUE INDEX fast_track_invitation_live ON fast_track_invitation (origin_application, round)"
    " WHERE status IN ('invited', 'accepted')",
    "CREATE INDEX fast_track_invitation_organisation ON fast_track_invitation (organisation)",
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
