"""``BankAccount`` leaves the ``core`` app's schema snapshot: the payees room owns it (programmes app).

State only (``fake=True``: recorded as run, no SQL). The table ``bank_account``, its rows, indexes, constraints and
the foreign keys that point at it stay exactly as they are; the programmes migration of the same timestamp adds the
table to that app's snapshot, so ``piccolo migrations new --auto`` sees no change in either app.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T15:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "bank_account moves to the programmes app (state only, no SQL)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION, fake=True)
    manager.drop_table(class_name="BankAccount", tablename="bank_account", schema=None)
    return manager
