"""One 决赛 per edition, guarded by the database: ``programmes.stages.rules.check_stage`` refuses a second final
with a 409, but two concurrent creates or PATCHes could both pass that check; this partial unique index keeps one,
and the API answers its violation as the same 409 ``final_stage_exists`` (``app.errors.guarded_constraint``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T19:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "one final stage per edition"

STATEMENTS = [
    "CREATE UNIQUE INDEX round_one_final_per_edition ON round (edition) WHERE stage = 'final'",
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
