"""Database guards on the money invariants the services already keep under row locks.

The services lock the budget line (awards) or the clawback (refunds) and check before writing; these triggers
repeat the check inside PostgreSQL, under the same locks, so a future code path that forgets the rule — or a
hand-written INSERT — cannot overdraw a budget line or refund more than a clawback demanded.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T01:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers: budget lines never over-obligated, refunds never above their clawback"

STATEMENTS = [
    """
    CREATE FUNCTION ledger_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line_amount bigint;
        obligated bigint;
        demanded bigint;
        refunded bigint;
    BEGIN
        IF NEW.kind = 'obligation' THEN
            SELECT amount_fen INTO line_amount FROM budget_line WHERE id = NEW.budget_line FOR UPDATE;
            SELECT COALESCE(SUM(CASE kind WHEN 'obligation' THEN amount_fen ELSE -amount_fen END), 0) INTO obligated
              FROM ledger_entry WHERE budget_line = NEW.budget_line AND kind IN ('obligation', 'reversal', 'refund');
            IF obligated + NEW.amount_fen > line_amount THEN
                RAISE EXCEPTION 'budget_line % over-obligated: % + % > %',
                    NEW.budget_line, obligated, NEW.amount_fen, line_amount
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'budget_line_not_overobligated';
            END IF;
        ELSIF NEW.kind = 'refund' THEN
            SELECT amount_fen INTO demanded FROM clawback WHERE id = NEW.clawback FOR UPDATE;
            SELECT COALESCE(SUM(amount_fen), 0) INTO refunded
              FROM ledger_entry WHERE clawback = NEW.clawback AND kind = 'refund';
            IF refunded + NEW.amount_fen > demanded THEN
                RAISE EXCEPTION 'clawback % over-refunded: % + % > %', NEW.clawback, refunded, NEW.amount_fen, demanded
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'refund_within_clawback';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER ledger_entry_guard BEFORE INSERT ON ledger_entry FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()",
    """
    CREATE FUNCTION budget_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        obligated bigint;
    BEGIN
        SELECT COALESCE(SUM(CASE kind WHEN 'obligation' THEN amount_fen ELSE -amount_fen END), 0) INTO obligated
          FROM ledger_entry WHERE budget_line = NEW.id AND kind IN ('obligation', 'reversal', 'refund');
        IF NEW.amount_fen < obligated THEN
            RAISE EXCEPTION 'budget_line % cut below its obligations: % < %', NEW.id, NEW.amount_fen, obligated
                USING ERRCODE = 'check_violation', CONSTRAINT = 'budget_line_not_overobligated';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER budget_line_guard BEFORE UPDATE OF amount_fen ON budget_line FOR EACH ROW"
    " EXECUTE FUNCTION budget_line_guard()",
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
