"""聚力计划 orders as payable obligations (政府购买服务): what Piccolo cannot declare.

A tranche and a ledger entry belong to an award or to a match order, exactly one of the two; an order's tranche is
released on delivery (``on_delivery``); an order carries its amount and budget line together, both or neither. One
obligation per order is the unique ``idempotency_key`` ``match_order:<id>:obligation``, one tranche per order the
unique ``tranche.match_order``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T18:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "tranche / ledger entry of an award or an order; on_delivery release; order amount with its line"

STATEMENTS = [
    "ALTER TABLE tranche ADD CONSTRAINT tranche_award_or_order CHECK ((award IS NULL) <> (match_order IS NULL))",
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_award_or_order CHECK"
    " ((award IS NULL) <> (match_order IS NULL))",
    "ALTER TABLE tranche DROP CONSTRAINT tranche_release_condition",
    "ALTER TABLE tranche ADD CONSTRAINT tranche_release_condition CHECK"
    " (release_condition IN ('on_signing', 'milestone', 'final_report', 'on_delivery'))",
    # on_delivery is an order's release, and an order's tranche is released only that way.
    "ALTER TABLE tranche ADD CONSTRAINT tranche_order_on_delivery CHECK"
    " ((match_order IS NOT NULL) = (release_condition = 'on_delivery'))",
    "ALTER TABLE match_order ADD CONSTRAINT match_order_obligation_complete CHECK"
    " ((budget_line IS NULL) = (amount_fen IS NULL) AND (amount_fen IS NULL OR amount_fen > 0))",
    "CREATE INDEX ledger_entry_match_order ON ledger_entry (match_order) WHERE match_order IS NOT NULL",
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
