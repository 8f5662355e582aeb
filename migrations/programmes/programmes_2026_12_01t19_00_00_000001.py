"""Prize and resource-link constraints Piccolo cannot declare: one tier name and one position per edition,
positions from 1, prizes' amounts not negative, the introduction's status one of its workflow's states, one
introduction per winner and offer, an offer's period not ending before it starts, and the kinds' values."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T19:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "prize tier and resource introduction constraints"

STATEMENTS = [
    "CREATE UNIQUE INDEX prize_tier_edition_name ON prize_tier (edition, name)",
    "CREATE UNIQUE INDEX prize_tier_edition_position ON prize_tier (edition, position)",
    "ALTER TABLE prize_tier ADD CONSTRAINT prize_tier_position CHECK (position >= 1)",
    "ALTER TABLE prize_tier ADD CONSTRAINT prize_tier_places_array CHECK (jsonb_typeof(places) = 'array')",
    "ALTER TABLE prize ADD CONSTRAINT prize_amount CHECK (amount_fen >= 0)",
    "ALTER TABLE prize ADD CONSTRAINT prize_rank CHECK (rank >= 1)",
    "CREATE INDEX prize_confirmation_of ON prize (confirmation)",
    "ALTER TABLE resource_partner ADD CONSTRAINT resource_partner_kind"
    " CHECK (kind IN ('foundation', 'enterprise', 'street', 'other'))",
    "ALTER TABLE resource_offer ADD CONSTRAINT resource_offer_kind"
    " CHECK (kind IN ('funding', 'venue', 'mentoring', 'service_purchase', 'other'))",
    "ALTER TABLE resource_offer ADD CONSTRAINT resource_offer_period CHECK (valid_until >= valid_from)",
    "ALTER TABLE resource_introduction ADD CONSTRAINT resource_introduction_status"
    " CHECK (status IN ('introduced', 'contacted', 'agreed', 'declined', 'done'))",
    "CREATE UNIQUE INDEX resource_introduction_pair ON resource_introduction (offer, prize)",
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
