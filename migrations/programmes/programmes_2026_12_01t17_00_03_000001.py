"""Camp constraints Piccolo cannot declare: status CHECKs (tests/core/test_workflow_registry.py compares them with
the workflow registry), ranges, one live registration per camp and organisation, one wait-list position per camp,
one attendance row per registration and session, one feedback per registration and session."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:03:000001"
VERSION = "1.38.0"
DESCRIPTION = "camp constraints and indexes"

STATEMENTS = [
    "ALTER TABLE camp ADD CONSTRAINT camp_status CHECK (status IN ('draft', 'open', 'closed', 'cancelled'))",
    "ALTER TABLE camp_registration ADD CONSTRAINT camp_registration_status"
    " CHECK (status IN ('registered', 'waitlisted', 'cancelled'))",
    "ALTER TABLE camp ADD CONSTRAINT camp_capacity CHECK (capacity BETWEEN 1 AND 10000)",
    "ALTER TABLE camp ADD CONSTRAINT camp_participants CHECK (max_participants_per_registration BETWEEN 1 AND 50)",
    "ALTER TABLE camp ADD CONSTRAINT camp_completion CHECK (completion_min_percent BETWEEN 1 AND 100)",
    "ALTER TABLE camp_session ADD CONSTRAINT camp_session_times CHECK (start_time < end_time)",
    "ALTER TABLE camp_session ADD CONSTRAINT camp_session_capacity CHECK (capacity IS NULL OR capacity >= 1)",
    "ALTER TABLE camp_session ADD CONSTRAINT camp_session_venue CHECK (place <> '' OR online_link <> '')",
    "ALTER TABLE camp_registration ADD CONSTRAINT camp_registration_waitlist CHECK ((status = 'waitlisted')"
    " = (waitlist_position IS NOT NULL))",
    "ALTER TABLE camp_registration ADD CONSTRAINT camp_registration_position"
    " CHECK (waitlist_position IS NULL OR waitlist_position >= 1)",
    "ALTER TABLE session_feedback ADD CONSTRAINT session_feedback_rating CHECK (rating BETWEEN 1 AND 5)",
    "ALTER TABLE session_checkin_code ADD CONSTRAINT session_checkin_code_window CHECK (valid_from < valid_until)",
    "CREATE UNIQUE INDEX camp_registration_live ON camp_registration (camp, organisation)"
    " WHERE status IN ('registered', 'waitlisted')",
    "CREATE UNIQUE INDEX camp_registration_queue ON camp_registration (camp, waitlist_position)"
    " WHERE waitlist_position IS NOT NULL",
    "CREATE INDEX camp_registration_seats ON camp_registration (camp) WHERE status = 'registered'",
    "CREATE UNIQUE INDEX session_attendance_once ON session_attendance (registration, session)",
    "CREATE UNIQUE INDEX session_feedback_once ON session_feedback (registration, session)",
    "CREATE INDEX session_checkin_code_session ON session_checkin_code (session, valid_until)",
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
