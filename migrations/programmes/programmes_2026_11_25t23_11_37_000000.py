"""Constraints for tracks, multiple entries, attachments and export jobs."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T23:11:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "entry uniqueness per round and track; attachment and track checks"

STATEMENTS = [
    "ALTER TABLE application DROP CONSTRAINT application_one_per_round",
    # One live entry per organisation, round, track and entry number; withdrawn ones do not count.
    "CREATE UNIQUE INDEX application_one_entry ON application (round, organisation, COALESCE(track, 0), entry_number)"
    " WHERE status <> 'withdrawn'",
    "ALTER TABLE application ADD CONSTRAINT application_entry_positive CHECK (entry_number > 0)",
    "ALTER TABLE application ADD CONSTRAINT application_eligibility_outcome CHECK"
    " (eligibility_outcome IN ('not_screened', 'eligible', 'ineligible', 'overridden'))",
    "ALTER TABLE track ADD CONSTRAINT track_quota_positive CHECK (quota IS NULL OR quota > 0)",
    "ALTER TABLE track ADD CONSTRAINT track_unique_name UNIQUE (round, name)",
    "ALTER TABLE attachment ADD CONSTRAINT attachment_size_positive CHECK (size_bytes >= 0)",
    "ALTER TABLE round ADD CONSTRAINT round_attachment_limits CHECK"
    " (max_attachment_bytes > 0 AND max_application_attachment_bytes >= max_attachment_bytes)",
    "ALTER TABLE export_job ADD CONSTRAINT export_job_state CHECK (state IN ('queued', 'running', 'done', 'failed'))",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        # run_ddl joins the migration's transaction: all of these apply, or none do.
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
