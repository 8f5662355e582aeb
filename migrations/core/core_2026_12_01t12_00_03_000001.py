"""Street service centres (街镇社会组织服务中心): one per district and street, and only social service institutions.

``app.organisations.custody.designate`` checks both and answers 409/422; the index and the check repeat the rules in
PostgreSQL so no other path (a script, an import, a concurrent designation) can list two centres for one street.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:03:000001"
VERSION = "1.38.0"
DESCRIPTION = "organisation.serves_street: one service centre per street, social service institutions only"

STATEMENTS = [
    "CREATE UNIQUE INDEX organisation_service_centre_street ON organisation (district, serves_street)"
    " WHERE serves_street IS NOT NULL",
    "ALTER TABLE organisation ADD CONSTRAINT organisation_service_centre_type CHECK"
    " (serves_street IS NULL OR (org_type = 'social_service_institution' AND length(btrim(serves_street)) > 0))",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
