"""The indexes the 聚力计划 order side reads by: an order's delivery records and files, a session's orders, a
demand's orders and applications, a session's unmatched demands."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T16:10:04:000001"
VERSION = "1.38.0"
DESCRIPTION = "聚力计划 order-side indexes"

STATEMENTS = [
    'CREATE INDEX delivery_record_order ON delivery_record ("order", delivered_on)',
    'CREATE INDEX delivery_file_order ON delivery_file ("order")',
    "CREATE INDEX delivery_file_record ON delivery_file (record)",
    "CREATE INDEX match_order_session ON match_order (session) WHERE session IS NOT NULL",
    "CREATE INDEX match_order_demand ON match_order (demand)",
    "CREATE INDEX demand_bid_demand ON demand_bid (demand)",
    "CREATE INDEX session_unmatched_session ON session_unmatched (session, demand)",
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
