"""聚力计划 cases: the reason a case was withdrawn (shown to staff), a range on beneficiaries, and the index the
public case library lists by (published cases by field, newest first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-01T16:10:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "聚力计划 cases: withdrawn reason, library index"

STATEMENTS = [
    "ALTER TABLE matching_case ADD CONSTRAINT matching_case_beneficiaries CHECK (beneficiaries >= 0)",
    "CREATE INDEX matching_case_library ON matching_case (field, published_at DESC, id DESC)"
    " WHERE status = 'published'",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="programmes", description=DESCRIPTION)
    manager.add_column(
        table_class_name="MatchingCase",
        tablename="matching_case",
        column_name="withdrawn_reason",
        db_column_name="withdrawn_reason",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 1000,
            "default": "",
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

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
