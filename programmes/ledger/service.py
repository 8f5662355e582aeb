"""The ledger: the one writer of money movements and the one place their balances are computed.

Rows are append-only (``post`` inserts; triggers refuse UPDATE, DELETE and TRUNCATE). Every balance is a sum over
them, and the arithmetic lives here once:

- obligated (per budget line or award) = Σ obligations − Σ reversals − Σ refunds (``net_obligation``): money
  clawed back and refunded may be awarded again;
- available (per budget line) = its amount − obligated;
- recoverable (per award) = Σ disbursements − what live clawbacks already claim.

The database keeps the rules even for a code path that forgets them (migrations ``2026_11_25t22_40_01``,
``2026_11_26t01_14_20``, ``2026_11_26t01_45_00``, ``2026_12_01t11_00_02``, ``2026_12_01t11_00_06_000001``):

- ``ledger_entry_award_or_order``: an entry is an award's or a 聚力计划 order's (政府购买服务), exactly one;
- ``idempotency_key`` is unique. Callers use ``award:<id>:obligation`` (one obligation per award),
  ``match_order:<id>:obligation`` (one per order) and ``match_order:<id>:release`` (its reversal on cancel),
  ``tranche:<id>:disbursement`` (one per tranche), ``award:<id>:cancel`` and ``award:<id>:reduce:<uuid>``
  (reversals), ``clawback:<id>:refund:<bank reference>`` (a receipt recorded twice writes one row);
- ``ledger_entry_one_disbursement``: unique ``tranche`` WHERE kind = 'disbursement';
- ``ledger_entry_refund_bank_reference``: unique ``bank_reference`` WHERE kind = 'refund' (one receipt is never
  credited to two clawbacks);
- CHECKs: ``ledger_entry_kind`` (the ``LedgerKind`` values), ``ledger_entry_positive`` (amount > 0),
  ``ledger_entry_refund_traced`` (a refund, and only a refund, names its clawback and a bank reference);
- trigger ``ledger_entry_guard``: an obligation never takes its budget line over its amount, a refund never
  exceeds its clawback (both under a row lock); ``budget_line_guard``: a budget line is never cut below what it
  has obligated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import engine
from programmes.ledger.tables import LedgerEntry, LedgerKind
from programmes.tables import BudgetLine, Clawback


@dataclass(frozen=True)
class Refund:
    """A refund received against a clawback (one ``refund`` row)."""

    id: int
    clawback_id: int
    amount_fen: int
    bank_reference: str
    created_at: datetime


async def post(
    kind: LedgerKind,
    *,
    award_id: int | None = None,
    match_order_id: int | None = None,
    budget_line_id: int,
    amount_fen: int,
    idempotency_key: str,
    scope_district: str | None,
    tranche_id: int | None = None,
    clawback_id: int | None = None,
    bank_reference: str = "",
) -> None:
    """Append one movement of an award's or a 聚力计划 order's money (exactly one of the two) in the caller's
    transaction (the change it records commits with it, or neither does); a repeated key raises
    ``UniqueViolationError``."""
    if engine().current_transaction.get() is None:
        raise RuntimeError("ledger.post() must run inside a transaction (use app.uow.unit_of_work)")
    if (award_id is None) == (match_order_id is None):
        raise ValueError("ledger.post() records the money of an award or of an order, exactly one")
    await LedgerEntry.insert(
        LedgerEntry(
            kind=kind,
            award=award_id,
            match_order=match_order_id,
            budget_line=budget_line_id,
            tranche=tranche_id,
            clawback=clawback_id,
            bank_reference=bank_reference,
            amount_fen=amount_fen,
            idempotency_key=idempotency_key,
            scope_district=scope_district,
        )
    )


def net_obligation(sums: Mapping[str, Any]) -> int:
    """Σ obligations − Σ reversals − Σ refunds, from sums keyed by kind (missing kinds count 0)."""
    return (
        int(sums.get(LedgerKind.obligation, 0))
        - int(sums.get(LedgerKind.reversal, 0))
        - int(sums.get(LedgerKind.refund, 0))
    )


def kind_sums_sql(alias: str) -> str:
    """SQL select items summing ``<alias>.amount_fen`` per kind, each named after its kind (for GROUP BY reports)."""
    return ", ".join(
        f"coalesce(sum({alias}.amount_fen) FILTER (WHERE {alias}.kind = '{kind.value}'), 0) AS {kind.value}"
        for kind in LedgerKind
    )


async def _sums(column: str, value: int) -> dict[str, int]:
    # ``column`` is one of the fixed column names below; the value travels as a query parameter.
    rows = await LedgerEntry.raw(
        f"SELECT kind, COALESCE(SUM(amount_fen), 0) AS total FROM ledger_entry WHERE {column} = {{}} GROUP BY kind",  # noqa: S608
        value,
    )
    return {str(row["kind"]): int(row["total"]) for row in rows}


async def obligated(budget_line_id: int) -> int:
    return net_obligation(await _sums("budget_line", budget_line_id))


async def available(budget_line_id: int) -> int:
    """What the budget line may still obligate. Read under the line's ``FOR UPDATE`` lock to decide on it."""
    line = await BudgetLine.select(BudgetLine.amount_fen).where(BudgetLine.id == budget_line_id).first()
    assert line is not None
    return int(line["amount_fen"]) - await obligated(budget_line_id)


async def disbursed(award_id: int) -> int:
    return (await _sums("award", award_id)).get(LedgerKind.disbursement, 0)


async def award_sums(award_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per award, the ledger's sums by kind (every ``LedgerKind``, 0 when none): one query for all the awards."""
    ids = sorted(set(award_ids))
    rows = await LedgerEntry.raw(
        # The per-kind sums are built from LedgerKind, never from input; the ids travel as a query parameter.
        "SELECT e.award, " + kind_sums_sql("e") + " FROM ledger_entry e WHERE e.award = ANY({}::bigint[])"  # noqa: S608
        " GROUP BY e.award",
        ids,
    )
    found = {int(r["award"]): {kind.value: int(r[kind.value]) for kind in LedgerKind} for r in rows}
    return {award_id: found.get(award_id, {kind.value: 0 for kind in LedgerKind}) for award_id in ids}


async def order_obligated(match_order_id: int) -> int:
    """What a 聚力计划 order still holds of its budget line (its obligation, less a reversal)."""
    return net_obligation(await _sums("match_order", match_order_id))


async def refunded(clawback_id: int) -> int:
    return (await _sums("clawback", clawback_id)).get(LedgerKind.refund, 0)


async def recoverable(award_id: int) -> int:
    """What may still be demanded back: paid, minus what live clawbacks already claim (settled ones were refunded
    in full; demanded ones count at their full amount, refunded or not). Withdrawn clawbacks claim nothing."""
    claimed = await Clawback.raw(
        "SELECT COALESCE(SUM(amount_fen), 0) AS total FROM clawback WHERE award = {} AND status <> 'withdrawn'",
        award_id,
    )
    return await disbursed(award_id) - int(claimed[0]["total"])


def _refund(row: Mapping[str, Any]) -> Refund:
    return Refund(
        int(row["id"]), int(row["clawback"]), int(row["amount_fen"]), str(row["bank_reference"]), row["created_at"]
    )


_REFUND_COLUMNS = (
    LedgerEntry.id,
    LedgerEntry.clawback,
    LedgerEntry.amount_fen,
    LedgerEntry.bank_reference,
    LedgerEntry.created_at,
)


async def refunds_of(clawback_ids: Iterable[int]) -> dict[int, list[Refund]]:
    """The refunds of several clawbacks in one query, per clawback, in the order they were recorded."""
    ids = list(clawback_ids)
    found: dict[int, list[Refund]] = {clawback_id: [] for clawback_id in ids}
    if not ids:
        return found
    rows = (
        await LedgerEntry.select(*_REFUND_COLUMNS)
        .where((LedgerEntry.kind == LedgerKind.refund) & LedgerEntry.clawback.is_in(ids))
        .order_by(LedgerEntry.id)
    )
    for row in rows:
        refund = _refund(row)
        found[refund.clawback_id].append(refund)
    return found


async def refund_receipt(bank_reference: str) -> Refund | None:
    """The refund already recorded for this bank receipt, if any (at most one: unique index)."""
    row = await (
        LedgerEntry.select(*_REFUND_COLUMNS)
        .where((LedgerEntry.kind == LedgerKind.refund) & (LedgerEntry.bank_reference == bank_reference))
        .first()
    )
    return _refund(row) if row is not None else None


async def entries_with_links() -> list[dict[str, Any]]:
    """Every entry with its holder's budget line (an award's or an order's) and its tranche's holder
    (reconciliation checks both links)."""
    rows: list[dict[str, Any]] = await LedgerEntry.raw(
        "SELECT e.id, e.kind, e.award, e.match_order, e.budget_line, e.tranche, e.clawback, e.amount_fen,"
        " coalesce(a.budget_line, o.budget_line) AS award_budget_line, t.award AS tranche_award,"
        " t.match_order AS tranche_match_order"
        " FROM ledger_entry e LEFT JOIN award a ON a.id = e.award LEFT JOIN match_order o ON o.id = e.match_order"
        " LEFT JOIN tranche t ON t.id = e.tranche"
    )
    return rows
