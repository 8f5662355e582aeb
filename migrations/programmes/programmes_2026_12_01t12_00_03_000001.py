"""Backfill ``application.applied_via``: filed groups' applications whose creator is a member of the custodian.

Screening used to infer "made through the custodian" from the creator's current memberships; the column records it
once, at creation (programmes.applications.service.create_draft).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:03:000001"
VERSION = "1.38.0"
DESCRIPTION = "backfill application.applied_via for filed groups' applications made by a custodian member"

STATEMENTS = [
    """
    UPDATE application a SET applied_via = o.custodian
    FROM organisation o
    WHERE a.organisation = o.id AND o.org_type = 'filed_community_group' AND o.custodian IS NOT NULL
      AND EXISTS (SELECT 1 FROM organisation_member m WHERE m.organisation = o.custodian AND m."user" = a.created_by)
    """,
    "CREATE INDEX application_applied_via ON application (applied_via) WHERE applied_via IS NOT NULL",
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
