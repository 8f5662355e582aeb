"""区级推荐 constraints Piccolo cannot declare: the recommendation status CHECK (tests/core/test_workflow_registry.py
compares it with DISTRICT_RECOMMENDATION), one quota row per round and district, quotas not negative, and one live
recommendation per entry (the net below the quota lock)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T19:20:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "district recommendation constraints"

STATEMENTS = [
    "ALTER TABLE recommendation ADD CONSTRAINT recommendation_status CHECK"
    " (status IN ('recommended', 'withdrawn', 'forwarded'))",
    "CREATE UNIQUE INDEX recommendation_live_once ON recommendation (application)"
    " WHERE status IN ('recommended', 'forwarded')",
    "CREATE INDEX recommendation_round_district ON recommendation (round, district)",
    "ALTER TABLE district_quota ADD CONSTRAINT district_quota_not_negative CHECK (quota >= 0)",
    "CREATE UNIQUE INDEX district_quota_once ON district_quota (round, district)",
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
