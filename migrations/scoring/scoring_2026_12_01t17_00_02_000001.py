"""Mentor constraints Piccolo cannot declare: the mentorship status CHECK (tests/core/test_workflow_registry.py
compares it with MENTORSHIP), one live mentorship per pair, the rating's 1..5 range, a positive load cap."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:02:000001"
VERSION = "1.38.0"
DESCRIPTION = "mentor constraints and indexes"

STATEMENTS = [
    "ALTER TABLE mentorship ADD CONSTRAINT mentorship_status CHECK (status IN ('active', 'ended'))",
    "CREATE UNIQUE INDEX mentorship_live_pair ON mentorship (application, mentor) WHERE status = 'active'",
    "CREATE INDEX mentorship_mentor ON mentorship (mentor) WHERE status = 'active'",
    "ALTER TABLE mentor_rating ADD CONSTRAINT mentor_rating_score CHECK (score BETWEEN 1 AND 5)",
    "ALTER TABLE mentor_profile ADD CONSTRAINT mentor_profile_max_projects CHECK (max_projects BETWEEN 1 AND 50)",
    "CREATE INDEX mentor_meeting_mentorship ON mentor_meeting (mentorship, met_on)",
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
