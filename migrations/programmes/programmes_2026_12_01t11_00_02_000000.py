"""One bank receipt is one refund: a partial unique index on the bank reference of refund ledger entries.

record_refund locks the clawback it credits, so two requests for *different* clawbacks never wait for each other;
its "already recorded under another clawback" check could therefore pass in both, and one receipt was credited
twice (19 of 20 tries). Only the database sees both inserts, so the database refuses the second.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T11:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique bank reference per refund ledger entry"

STATEMENTS = [
    # A database that already holds a doubled receipt stops here with the references to sort out by hand (the
    # ledger is append-only: a reversal decision for an officer, not for a migration).
    """
    DO $$
    DECLARE
        doubled text;
    BEGIN
        SELECT string_agg(bank_reference, ', ') INTO doubled FROM (
            SELECT bank_reference FROM ledger_entry WHERE kind = 'refund' GROUP BY bank_reference HAVING count(*) > 1
        ) AS d;
        IF doubled IS NOT NULL THEN
            RAISE EXCEPTION 'refund bank references recorded more than once: %', doubled
                USING HINT = 'each bank receipt may be credited to one clawback only; resolve these first';
        END IF;
    END
    $$
    """,
    "CREATE UNIQUE INDEX ledger_entry_refund_bank_reference ON ledger_entry (bank_reference) WHERE kind = 'refund'",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        # run_ddl joins the migration's transaction: the check and the index apply together, or neither does.
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
