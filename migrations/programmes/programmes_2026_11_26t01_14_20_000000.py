"""Constraints for agreements, payment plans, bank accounts, reports, clawbacks and risk warnings."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T01:14:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "money after the award: checks, one verified account, unique reports, refunds in the ledger"

STATEMENTS = [
    "ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_kind",
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_kind CHECK"
    " (kind IN ('obligation', 'disbursement', 'reversal', 'refund'))",
    # A refund always names its clawback and the bank's reference; no other kind carries a clawback.
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_refund_traced CHECK"
    " ((kind = 'refund') = (clawback IS NOT NULL) AND (kind <> 'refund' OR bank_reference <> ''))",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_release_condition CHECK"
    " (release_condition IN ('on_signing', 'milestone', 'final_report'))",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_milestone_named CHECK"
    " ((release_condition = 'milestone') = (milestone IS NOT NULL) AND (milestone IS NULL OR milestone > 0))",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_status CHECK"
    " (status IN ('planned', 'released', 'in_batch', 'paid', 'failed', 'cancelled'))",
    "ALTER TABLE agreement ADD CONSTRAINT agreement_status CHECK"
    " (status IN ('draft', 'signed', 'effective', 'terminated'))",
    "ALTER TABLE progress_report ADD CONSTRAINT progress_report_unique UNIQUE (award, kind, sequence)",
    "ALTER TABLE progress_report ADD CONSTRAINT progress_report_kind CHECK"
    " ((kind = 'final' AND sequence = 0) OR (kind = 'milestone' AND sequence > 0))",
    "ALTER TABLE progress_report ADD CONSTRAINT progress_report_status CHECK"
    " (status IN ('due', 'submitted', 'accepted', 'returned'))",
    "ALTER TABLE report_expense ADD CONSTRAINT report_expense_positive CHECK (amount_fen > 0)",
    "ALTER TABLE clawback ADD CONSTRAINT clawback_positive CHECK (amount_fen > 0)",
    "ALTER TABLE clawback ADD CONSTRAINT clawback_status CHECK (status IN ('demanded', 'settled', 'withdrawn'))",
    "CREATE UNIQUE INDEX risk_warning_one_open ON risk_warning (kind, subject_key) WHERE status = 'open'",
    "ALTER TABLE risk_warning ADD CONSTRAINT risk_warning_status CHECK (status IN ('open', 'resolved', 'dismissed'))",
    "ALTER TABLE export_job ADD CONSTRAINT export_job_round_or_money CHECK"
    " ((round IS NULL) = (kind IN ('money_summary', 'batch_payments')))",
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
