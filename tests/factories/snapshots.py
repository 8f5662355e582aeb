"""Whole-database fingerprints: "nothing changed" means every table's content is the same, not just its count."""

from __future__ import annotations

from piccolo.engine import engine_finder

# Logging in writes sessions; migrations are not data: both are left out.


async def table_digests() -> dict[str, str]:
    engine = engine_finder()
    assert engine is not None
    tables = await engine.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migration', 'sessions')"
    )
    digests: dict[str, str] = {}
    for row in tables:
        # Table names come from pg_tables itself, not from input.
        result = await engine.run_ddl(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS d FROM \"{row['tablename']}\" t"  # noqa: S608
        )
        digests[row["tablename"]] = str(result[0]["d"])
    return digests
