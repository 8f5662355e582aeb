from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-25T22:58:41:459699"
VERSION = "1.38.0"
DESCRIPTION = "tranche default is the workflow initial state"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="programmes", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Tranche",
        tablename="tranche",
        column_name="status",
        db_column_name="status",
        params={"default": "released"},
        old_params={"default": "planned"},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
