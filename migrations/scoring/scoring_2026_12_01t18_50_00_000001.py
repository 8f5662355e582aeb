"""Roadshow guards Piccolo cannot declare: the session's status CHECK (= programmes.workflows.roadshow), its
settings' ranges, one presentation per entry and per slot, one public vote per account and session, and the lock
on the final's score sheets: once a round's roadshow session has ended, no review assignment of that round may be
inserted, changed or deleted — by the API, the admin, a job or SQL (``scoring.roadshow.window`` refuses first with
409 ``scoring_window_closed``; this trigger is the guarantee for every other path)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:50:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "roadshow constraints; the final's score sheets locked once its session ends"

STATEMENTS = [
    "ALTER TABLE roadshow_session ADD CONSTRAINT roadshow_session_status"
    " CHECK (status IN ('committed', 'drawn', 'ended'))",
    "ALTER TABLE roadshow_session ADD CONSTRAINT roadshow_session_settings CHECK (planned_minutes BETWEEN 1 AND 120"
    " AND grace_seconds BETWEEN 0 AND 3600 AND vote_weight_percent BETWEEN 0 AND 50)",
    "ALTER TABLE roadshow_presentation ADD CONSTRAINT roadshow_presentation_clock"
    " CHECK (position >= 1 AND planned_minutes BETWEEN 1 AND 120"
    " AND (stopped_at IS NULL OR (started_at IS NOT NULL AND stopped_at >= started_at)))",
    "CREATE UNIQUE INDEX roadshow_presentation_entry ON roadshow_presentation (session, application)",
    "CREATE UNIQUE INDEX roadshow_presentation_slot ON roadshow_presentation (session, position)",
    "CREATE UNIQUE INDEX roadshow_vote_once ON roadshow_vote (session, voter)",
    """
    CREATE FUNCTION roadshow_sheets_locked(application_id integer) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
            SELECT 1 FROM roadshow_session s JOIN application a ON a.round = s.round
            WHERE a.id = application_id AND s.status = 'ended'
        )
    $$
    """,
    """
    CREATE FUNCTION roadshow_sheet_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (TG_OP <> 'INSERT' AND roadshow_sheets_locked(OLD.application))
           OR (TG_OP <> 'DELETE' AND roadshow_sheets_locked(NEW.application)) THEN
            RAISE EXCEPTION 'the roadshow session has ended: the final''s score sheets are locked'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'roadshow_sheets_locked';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END
    $$
    """,
    "CREATE TRIGGER roadshow_sheet_guard BEFORE INSERT OR UPDATE OR DELETE ON review_assignment FOR EACH ROW"
    " EXECUTE FUNCTION roadshow_sheet_guard()",
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
