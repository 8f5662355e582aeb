"""Database guard: a programme's kind (which picks every application's workflow) stays once it has editions.

``catalogue.settings.update_programme`` checks this and answers 409 ``programme_kind_locked``; the trigger repeats
the rule inside PostgreSQL so no other path (a script, a future admin table, a hand-written UPDATE) can break it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T11:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigger: programme kind locked once the programme has editions"

STATEMENTS = [
    """
    CREATE FUNCTION programme_kind_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM edition WHERE programme = NEW.id) THEN
            RAISE EXCEPTION 'programme % has editions: its kind cannot change', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'programme_kind_locked';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER programme_kind_guard BEFORE UPDATE OF kind ON programme FOR EACH ROW"
    " WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION programme_kind_guard()",
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
