"""Statements only the owner may run (DDL, edits of append-only tables), for tests that inject a broken state.

The app (and the test suite's Piccolo engine) connects as the application role, which can do neither
(app/db_roles.py); ``SEEDBED_DATABASE_URL`` is the owner's URL.
"""

from __future__ import annotations

import os

import asyncpg


async def as_owner(*statements: str) -> None:
    """Run the statements in one transaction on an owner connection."""
    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        async with connection.transaction():
            for statement in statements:
                await connection.execute(statement)
    finally:
        await connection.close()
