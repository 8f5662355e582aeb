"""Constraints Piccolo cannot declare: composite uniques, checks, partial indexes, append-only triggers."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T22:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "database constraints"

STATEMENTS = [
    "ALTER TABLE organisation_member ADD CONSTRAINT organisation_member_unique UNIQUE (\"user\", organisation)",
    "ALTER TABLE organisation ADD CONSTRAINT organisation_credit_code_by_type CHECK ("
    " (org_type = 'filed_community_group' AND credit_code IS NULL AND custodian IS NOT NULL)"
    " OR (org_type <> 'filed_community_group' AND credit_code IS NOT NULL AND custodian IS NULL))",
    "ALTER TABLE account ADD CONSTRAINT account_scope_only_for_officers CHECK (district IS NULL OR role = 'officer')",
    # The audit log is append-only: refuse UPDATE and DELETE at the database.
    "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$",
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_entry"
    " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    "CREATE INDEX audit_entry_object ON audit_entry (object_type, object_id)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        # run_ddl joins the migration's transaction: all of these apply, or none do.
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
