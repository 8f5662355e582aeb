"""Database guards: once an expert is assigned in a round, its blind flag and its rubric (criteria) stay.

``catalogue.settings.update_round_settings`` checks this under the round's row lock and answers 409
``round_review_started``; the triggers repeat the rule inside PostgreSQL for every other path. They live in the
scoring app because "review has started" is a fact about ``review_assignment``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T11:00:03:000001"
VERSION = "1.38.0"
DESCRIPTION = "triggers: round blind flag and criteria locked once review has started"

STATEMENTS = [
    """
    CREATE FUNCTION round_review_started(round_id integer) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
            SELECT 1 FROM review_assignment ra JOIN application a ON a.id = ra.application WHERE a.round = round_id
        )
    $$
    """,
    """
    CREATE FUNCTION round_blind_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF round_review_started(NEW.id) THEN
            RAISE EXCEPTION 'round % is under review: blind cannot change', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'round_review_started';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER round_blind_guard BEFORE UPDATE OF blind ON round FOR EACH ROW"
    " WHEN (OLD.blind IS DISTINCT FROM NEW.blind) EXECUTE FUNCTION round_blind_guard()",
    """
    CREATE FUNCTION criterion_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF round_review_started(CASE WHEN TG_OP = 'DELETE' THEN OLD.round ELSE NEW.round END)
           OR (TG_OP = 'UPDATE' AND round_review_started(OLD.round)) THEN
            RAISE EXCEPTION 'round is under review: its criteria cannot change'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'round_review_started';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END
    $$
    """,
    "CREATE TRIGGER criterion_guard BEFORE INSERT OR UPDATE OR DELETE ON criterion FOR EACH ROW"
    " EXECUTE FUNCTION criterion_guard()",
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
