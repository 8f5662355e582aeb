"""The ledger's one table. It stays in the ``programmes`` Piccolo app (its migrations name the class, not the
module), listed in ``programmes/piccolo_app.py``'s table_finder."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import BigInt, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.matching.tables import MatchOrder
from programmes.tables import Award, BudgetLine, Clawback, Tranche


class LedgerKind(StrEnum):
    """What a ledger row records. The database's ``ledger_entry_kind`` CHECK allows exactly these."""

    obligation = "obligation"  # an award (or a 聚力计划 order) holds money of its budget line
    disbursement = "disbursement"  # a tranche was paid out
    reversal = "reversal"  # unpaid money of a reduced or cancelled award goes back to the budget line
    refund = "refund"  # clawed-back money was received back; it returns to the budget line


class LedgerEntry(Table):
    """Immutable money movements; every balance is a sum over these rows. Written only by ``ledger.service.post``."""

    id: Serial  # added by Piccolo; declared for the type checker
    kind = Varchar(length=16, null=False)  # LedgerKind
    # Whose money it is: an award, or a 聚力计划 order bought as a service (exactly one: CHECK
    # ``ledger_entry_award_or_order``).
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=True, default=None)
    match_order = ForeignKey(MatchOrder, on_delete=OnDelete.restrict, null=True, default=None)
    budget_line = ForeignKey(BudgetLine, on_delete=OnDelete.restrict, null=False)
    tranche = ForeignKey(Tranche, on_delete=OnDelete.restrict, null=True, default=None)
    clawback = ForeignKey(Clawback, on_delete=OnDelete.restrict, null=True, default=None)  # set on refunds
    bank_reference = Varchar(length=100, default="")  # the bank's reference of a refund received
    amount_fen = BigInt(null=False)
    # One disbursement per tranche, one obligation per award: the database refuses a second.
    idempotency_key = Varchar(length=100, null=False, unique=True)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
