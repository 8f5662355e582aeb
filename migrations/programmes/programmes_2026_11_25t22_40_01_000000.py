"""Constraints Piccolo cannot declare: composite uniques, checks, partial indexes, append-only triggers."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T22:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "database constraints"

STATEMENTS = [
    "ALTER TABLE round ADD CONSTRAINT round_window CHECK (opens_at < closes_at)",
    "ALTER TABLE criterion ADD CONSTRAINT criterion_positive CHECK (weight > 0 AND max_score > 0)",
    "ALTER TABLE criterion ADD CONSTRAINT criterion_unique_code UNIQUE (round, code)",
    # One application per organisation per round (tracks and multiple entries come later).
    "ALTER TABLE application ADD CONSTRAINT application_one_per_round UNIQUE (round, organisation)",
    "ALTER TABLE budget_line ADD CONSTRAINT budget_line_positive CHECK (amount_fen > 0)",
    "ALTER TABLE award ADD CONSTRAINT award_positive CHECK (amount_fen > 0)",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_positive CHECK (amount_fen > 0)",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_unique_sequence UNIQUE (award, sequence)",
    # A tranche can sit in only one batch item that is not failed: paying twice needs two live items.
    "CREATE UNIQUE INDEX payment_batch_item_live_tranche ON payment_batch_item (tranche) WHERE status <> 'failed'",
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_kind CHECK (kind IN ('obligation', 'disbursement', 'reversal'))",
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_positive CHECK (amount_fen > 0)",
    # At most one disbursement per tranche, whatever the idempotency key says.
    "CREATE UNIQUE INDEX ledger_entry_one_disbursement ON ledger_entry (tranche) WHERE kind = 'disbursement'",
    "CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'ledger_entry is append-only'; END $$",
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE OR DELETE ON ledger_entry"
    " FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()",
    "ALTER TABLE simulated_transfer ADD CONSTRAINT simulated_transfer_positive CHECK (amount_fen > 0)",
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
