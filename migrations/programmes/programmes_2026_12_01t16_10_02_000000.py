"""聚力计划 offers' read paths: the capacity an offer's live orders hold and an organisation's track record are
counted per list page or recommendation, so both look orders up by offer / organisation through an index instead
of scanning every order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T16:10:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "聚力计划 offer capacity and track-record indexes"

STATEMENTS = [
    "CREATE INDEX match_order_offer_holding ON match_order (offer) WHERE status IN ('accepted', 'in_delivery')",
    "CREATE INDEX match_order_organisation ON match_order (organisation)",
    "CREATE INDEX offer_version_offer ON offer_version (offer, version)",
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
