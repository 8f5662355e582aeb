"""聚力计划 constraints Piccolo cannot declare: status CHECKs (tests/core/test_workflow_registry.py compares them
with the workflow registry), value ranges, GIN indexes for tag overlap (recommendations and the public search),
one live order per demand and offer, one pending application per demand and organisation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:51:02:062298"
VERSION = "1.38.0"
DESCRIPTION = "聚力计划 constraints and indexes"

STATEMENTS = [
    "ALTER TABLE demand ADD CONSTRAINT demand_status CHECK (status IN ('draft', 'submitted', 'rejected',"
    " 'published', 'partly_matched', 'matched', 'closed', 'expired'))",
    "ALTER TABLE service_offer ADD CONSTRAINT service_offer_status CHECK (status IN ('draft', 'submitted',"
    " 'rejected', 'approved', 'suspended', 'withdrawn'))",
    "ALTER TABLE matching_session ADD CONSTRAINT matching_session_status"
    " CHECK (status IN ('draft', 'open', 'published', 'closed', 'cancelled'))",
    "ALTER TABLE match_order ADD CONSTRAINT match_order_status CHECK (status IN ('matched', 'accepted',"
    " 'in_delivery', 'delivered', 'evaluated', 'declined', 'cancelled'))",
    "ALTER TABLE demand_bid ADD CONSTRAINT demand_bid_status"
    " CHECK (status IN ('pending', 'chosen', 'not_chosen', 'withdrawn'))",
    "ALTER TABLE matching_case ADD CONSTRAINT matching_case_status"
    " CHECK (status IN ('draft', 'published', 'withdrawn'))",
    "ALTER TABLE demand ADD CONSTRAINT demand_period CHECK (period_start <= period_end)",
    "ALTER TABLE demand ADD CONSTRAINT demand_budget CHECK ((budget_min_fen IS NULL AND budget_max_fen IS NULL)"
    " OR (budget_min_fen >= 0 AND budget_max_fen >= budget_min_fen))",
    "ALTER TABLE demand ADD CONSTRAINT demand_providers CHECK (providers_wanted BETWEEN 1 AND 50)",
    "ALTER TABLE demand ADD CONSTRAINT demand_beneficiaries CHECK (expected_beneficiaries IS NULL"
    " OR expected_beneficiaries >= 0)",
    "ALTER TABLE service_offer ADD CONSTRAINT service_offer_capacity CHECK (capacity BETWEEN 1 AND 1000)",
    "ALTER TABLE service_offer ADD CONSTRAINT service_offer_price CHECK ((price_min_fen IS NULL AND price_max_fen"
    " IS NULL) OR (price_min_fen >= 0 AND price_max_fen >= price_min_fen))",
    "ALTER TABLE match_order ADD CONSTRAINT match_order_amount CHECK (amount_fen IS NULL OR amount_fen > 0)",
    "ALTER TABLE order_evaluation ADD CONSTRAINT order_evaluation_overall CHECK (overall BETWEEN 1 AND 5)",
    "ALTER TABLE delivery_record ADD CONSTRAINT delivery_record_served CHECK (beneficiaries_served >= 0)",
    "ALTER TABLE demand ADD CONSTRAINT demand_source_case_fkey FOREIGN KEY (source_case)"
    " REFERENCES matching_case (id) ON DELETE RESTRICT",
    "CREATE INDEX demand_source_case ON demand (source_case) WHERE source_case IS NOT NULL",
    "CREATE INDEX demand_tags_gin ON demand USING gin (tags)",
    "CREATE INDEX service_offer_tags_gin ON service_offer USING gin (tags)",
    "CREATE INDEX service_offer_districts_gin ON service_offer USING gin (districts_served)",
    "CREATE INDEX service_offer_matchable ON service_offer (field) WHERE status = 'approved'",
    "CREATE INDEX demand_listed ON demand (field, district) WHERE status IN ('published', 'partly_matched', 'matched')",
    "CREATE UNIQUE INDEX match_order_live_pair ON match_order (demand, offer)"
    " WHERE status IN ('matched', 'accepted', 'in_delivery', 'delivered', 'evaluated')",
    "CREATE UNIQUE INDEX demand_bid_pending ON demand_bid (demand, organisation) WHERE status = 'pending'",
    "CREATE UNIQUE INDEX session_pair_unique ON session_pair (session, demand, offer)",
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
