"""Stage constraints Piccolo cannot declare: a round's stage is one of programmes.kinds.RoundStage, its position is
not negative, and one entry is carried from a source into a round at most once (advancing twice, or two officers
advancing at once, leaves one entry)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "round stage constraints, one carried entry per source and round"

STATEMENTS = [
    "ALTER TABLE round ADD CONSTRAINT round_stage CHECK (stage IN ('call', 'district_recommendation',"
    " 'preliminary', 'semifinal', 'final', 'custom', 'graduation'))",
    "ALTER TABLE round ADD CONSTRAINT round_position CHECK (position >= 0)",
    "CREATE UNIQUE INDEX application_carried_once ON application (carried_from, round)"
    " WHERE carried_from IS NOT NULL",
    "CREATE INDEX round_edition_position ON round (edition, position)",
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
