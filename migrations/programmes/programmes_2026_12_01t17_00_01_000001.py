"""沪社星耀 incubation constraints Piccolo cannot declare: status CHECKs (tests/core/test_workflow_registry.py
compares them with the workflow registry), value ranges, one value per indicator and report, one live replication
per origin, organisation and street."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:01:000001"
VERSION = "1.38.0"
DESCRIPTION = "沪社星耀 incubation constraints and indexes"

STATEMENTS = [
    "ALTER TABLE supported_project ADD CONSTRAINT supported_project_status"
    " CHECK (status IN ('in_progress', 'evaluating', 'excellent', 'passed', 'failed'))",
    "ALTER TABLE replication ADD CONSTRAINT replication_status"
    " CHECK (status IN ('proposed', 'approved', 'rejected', 'withdrawn'))",
    "ALTER TABLE project_indicator ADD CONSTRAINT project_indicator_target CHECK (target >= 0 AND baseline >= 0)",
    "ALTER TABLE indicator_value ADD CONSTRAINT indicator_value_value CHECK (value >= 0)",
    "ALTER TABLE replication ADD CONSTRAINT replication_beneficiaries CHECK (beneficiaries >= 0)",
    "CREATE UNIQUE INDEX indicator_value_per_report ON indicator_value (indicator, report)",
    "CREATE UNIQUE INDEX project_indicator_name ON project_indicator (project, name)",
    "CREATE UNIQUE INDEX cohort_edition_name ON cohort (edition, name)",
    "CREATE UNIQUE INDEX replication_live ON replication (origin, organisation, street)"
    " WHERE status IN ('proposed', 'approved')",
    "CREATE INDEX supported_project_cohort ON supported_project (cohort)",
    "CREATE INDEX replication_origin ON replication (origin)",
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
