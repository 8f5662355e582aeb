"""Declared versus verified organisation facts (issue 11), and the uniqueness the claim and fact tables rely on.

Every organisation registered so far declared its own grade and dates: those values move to the ``declared_*``
columns and the verified ones start empty (待核验) until an officer verifies them or the registry import sets them.
Values an officer already corrected (audit action ``organisation.correct``) came from an official source: they stay.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:00:02:000001"
VERSION = "1.38.0"
DESCRIPTION = "organisation facts: declared values moved, verification and claim uniqueness"

FACTS = ("evaluation_grade", "grade_valid_until", "registered_on", "certificate_expires_on")

STATEMENTS = [
    "UPDATE organisation SET " + ", ".join(f"declared_{f} = {f}" for f in FACTS),
    *(
        f"UPDATE organisation o SET {f} = NULL WHERE NOT EXISTS (SELECT 1 FROM audit_entry a"
        f" WHERE a.action = 'organisation.correct' AND a.object_type = 'organisation' AND a.object_id = o.id"
        f" AND a.after ? '{f}')"
        for f in FACTS
    ),
    "ALTER TABLE organisation_fact_verification ADD CONSTRAINT organisation_fact_verification_unique"
    " UNIQUE (organisation, fact)",
    "ALTER TABLE organisation_fact_verification ADD CONSTRAINT organisation_fact_verification_source"
    " CHECK (source IN ('officer', 'registry'))",
    # One open claim per claimant and organisation; several claimants may wait, the first approval closes the rest.
    "CREATE UNIQUE INDEX organisation_claim_one_pending ON organisation_claim (organisation, claimant)"
    " WHERE status = 'pending'",
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
