from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSONB
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T12:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "round.tie_break (issue 11)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="programmes", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Round",
        tablename="round",
        column_name="tie_break",
        db_column_name="tie_break",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": '["criteria", "spread", "submitted_at", "id"]',
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
