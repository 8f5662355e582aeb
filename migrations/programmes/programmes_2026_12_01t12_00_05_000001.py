"""Inspection findings are append-only, like the ledger: a correction is a new row referring to the old one.

The app role also holds only SELECT and INSERT on the table (app/db_roles.py APPEND_ONLY_TABLES); the triggers guard
every other connection, the admin's raw table edits included.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:05:000001"
VERSION = "1.38.0"
DESCRIPTION = "inspection_finding refuses UPDATE, DELETE and TRUNCATE"

STATEMENTS = [
    "ALTER TABLE inspection_draw ADD CONSTRAINT inspection_draw_status"
    " CHECK (status IN ('committed', 'executed', 'superseded'))",
    "CREATE FUNCTION inspection_finding_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'inspection_finding is append-only: % refused', TG_OP; END $$",
    "CREATE TRIGGER inspection_finding_append_only BEFORE UPDATE OR DELETE ON inspection_finding"
    " FOR EACH ROW EXECUTE FUNCTION inspection_finding_append_only()",
    "CREATE TRIGGER inspection_finding_no_truncate BEFORE TRUNCATE ON inspection_finding"
    " FOR EACH STATEMENT EXECUTE FUNCTION inspection_finding_append_only()",
    # A correction refers to a finding of the same draw and project.
    """
    CREATE FUNCTION inspection_finding_corrects_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.corrects IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM inspection_finding f WHERE f.id = NEW.corrects AND f.draw = NEW.draw AND f.award = NEW.award
        ) THEN
            RAISE EXCEPTION 'finding % corrects no finding of this draw and project', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'inspection_finding_corrects';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER inspection_finding_corrects_guard BEFORE INSERT ON inspection_finding"
    " FOR EACH ROW EXECUTE FUNCTION inspection_finding_corrects_guard()",
    # Draws made before the commit-reveal publish the hash of their (officer-chosen) seed too.
    "UPDATE inspection_draw SET seed_hash = encode(sha256(convert_to(seed, 'UTF8')), 'hex') WHERE seed_hash = ''",
    # Findings recorded before this migration (the old mutable JSON) become the first rows of the history.
    "INSERT INTO inspection_finding (draw, award, finding, corrects, recorded_by, scope_district, created_at)"
    " SELECT d.id, (s->>'award_id')::integer, s->>'finding', NULL, d.drawn_by, d.scope_district, d.created_at"
    " FROM inspection_draw d, jsonb_array_elements(d.selections) s WHERE coalesce(s->>'finding', '') <> ''",
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
