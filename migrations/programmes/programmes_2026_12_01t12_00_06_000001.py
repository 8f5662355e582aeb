"""Database guards for four-eyes money (双人复核) and for taking tranches out of draft batches.

``disbursements.service.approve_batch`` and ``agreements.service.countersign`` check these rules and answer 409
``four_eyes_same_officer``; the triggers repeat them inside PostgreSQL so no other path (a script, an admin table, a
hand-written UPDATE) lets one officer build and approve a batch, or give both countersignatures.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:06:000001"
VERSION = "1.38.0"
DESCRIPTION = "four-eyes triggers on payment_batch and agreement; removed batch items free their tranche"

STATEMENTS = [
    # Batches built before the rule: their builder is in the audit log (when that user still exists).
    "UPDATE payment_batch b SET created_by = a.actor_id FROM audit_entry a"
    " WHERE a.action = 'payment_batch.create' AND a.object_type = 'payment_batch' AND a.object_id = b.id"
    " AND b.created_by IS NULL AND EXISTS (SELECT 1 FROM piccolo_user u WHERE u.id = a.actor_id)",
    """
    CREATE FUNCTION payment_batch_four_eyes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status <> 'draft' OR NEW.created_by IS NULL OR NEW.approved_by IS NOT NULL THEN
                RAISE EXCEPTION 'a payment batch starts as a draft, with its builder and without an approver'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_batch_four_eyes';
            END IF;
            RETURN NEW;
        END IF;
        IF NEW.created_by IS DISTINCT FROM OLD.created_by THEN
            RAISE EXCEPTION 'payment batch %: its builder cannot change', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_batch_four_eyes';
        END IF;
        IF (NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved')
                OR NEW.approved_by IS DISTINCT FROM OLD.approved_by THEN
            IF NEW.approved_by IS NULL OR NEW.created_by IS NULL OR NEW.approved_by = NEW.created_by THEN
                RAISE EXCEPTION 'payment batch %: the approver must be an officer other than its builder', NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_batch_four_eyes';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER payment_batch_four_eyes BEFORE INSERT OR UPDATE ON payment_batch"
    " FOR EACH ROW EXECUTE FUNCTION payment_batch_four_eyes()",
    """
    CREATE FUNCTION agreement_four_eyes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status = 'countersigning' AND NEW.first_countersigned_by IS NULL THEN
            RAISE EXCEPTION 'agreement %: awaiting a second countersignature without a first', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'agreement_four_eyes';
        END IF;
        IF NEW.status = 'effective' AND OLD.status IS DISTINCT FROM 'effective' THEN
            IF NEW.countersigned_by IS NULL THEN
                RAISE EXCEPTION 'agreement %: effective without an officer''s countersignature', NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'agreement_four_eyes';
            END IF;
            IF NEW.countersigned_by = NEW.first_countersigned_by THEN
                RAISE EXCEPTION 'agreement %: both countersignatures by one officer', NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'agreement_four_eyes';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER agreement_four_eyes BEFORE UPDATE ON agreement FOR EACH ROW EXECUTE FUNCTION agreement_four_eyes()",
    # The workflow's new state: a first countersignature waiting for the second (workflows/agreements.py).
    "ALTER TABLE agreement DROP CONSTRAINT agreement_status",
    "ALTER TABLE agreement ADD CONSTRAINT agreement_status CHECK"
    " (status IN ('draft', 'signed', 'countersigning', 'effective', 'terminated'))",
    # A removed item (tranche taken out of a draft batch, or the batch discarded) no longer holds its tranche.
    "DROP INDEX payment_batch_item_live_tranche",
    "CREATE UNIQUE INDEX payment_batch_item_live_tranche ON payment_batch_item (tranche)"
    " WHERE status NOT IN ('failed', 'removed')",
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
