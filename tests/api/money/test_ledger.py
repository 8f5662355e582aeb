"""The ledger room: its kinds match the database, and its arithmetic is the one the books use."""

from __future__ import annotations

import re

import pytest

from programmes.ledger.service import kind_sums_sql, net_obligation, post
from programmes.ledger.tables import LedgerEntry, LedgerKind


async def test_the_database_allows_exactly_the_ledger_kinds(db: None) -> None:
    rows = await LedgerEntry.raw(
        "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'ledger_entry_kind'"
    )
    assert set(re.findall(r"'(\w+)'", rows[0]["definition"])) == {kind.value for kind in LedgerKind}


def test_net_obligation_is_obligations_less_reversals_and_refunds() -> None:
    sums = {"obligation": 1_000, "reversal": 200, "refund": 50, "disbursement": 700}
    assert net_obligation(sums) == 750
    assert net_obligation({}) == 0
    assert all(f"AS {kind.value}" in kind_sums_sql("l") for kind in LedgerKind)


async def test_posting_outside_a_transaction_is_refused(db: None) -> None:
    with pytest.raises(RuntimeError, match="inside a transaction"):
        await post(
            LedgerKind.obligation,
            award_id=1,
            budget_line_id=1,
            amount_fen=1,
            idempotency_key="award:1:obligation",
            scope_district=None,
        )
