"""The two sides reconciliation compares against, and its result: the bank's statement (``StatementLine``, the
``Statement`` source, the simulated provider's ``simulated_statement``) and the ``ReconciliationReport`` with its
``Discrepancy`` list. The rules themselves are in ``reconciliation.py`` (payments) and ``refund_checks.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from app.money import yuan
from programmes.tables import SimulatedTransfer


@dataclass(frozen=True)
class StatementLine:
    """One transfer as the bank reports it."""

    idempotency_key: str  # what Seedbed sent with the transfer: "tranche:<id>"
    amount_fen: int
    reference: str  # the bank's own reference (流水号)
    payee_name: str = ""


Statement = Callable[[], Awaitable[Sequence[StatementLine]]]
"""Where the bank's side comes from. Called inside ``reconcile``'s read-only snapshot transaction, after the
ledger and tranches were read, so a statement read from the same database sees the same moment. A connector that
downloads its statement over the network had better fetch it first and return it from memory here."""


async def simulated_statement() -> list[StatementLine]:
    """The simulated provider's records: ``simulated_transfer`` plays the bank's statement."""
    rows = await SimulatedTransfer.select(
        SimulatedTransfer.idempotency_key,
        SimulatedTransfer.amount_fen,
        SimulatedTransfer.reference,
        SimulatedTransfer.payee_name,
    ).order_by(SimulatedTransfer.id)
    return [
        StatementLine(
            idempotency_key=str(r["idempotency_key"]),
            amount_fen=int(r["amount_fen"]),
            reference=str(r["reference"]),
            payee_name=str(r["payee_name"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Discrepancy:
    code: str  # stable, English snake_case
    message: str  # zh-CN, for people
    subject: str  # what it is about: "tranche:12", "award:3", "budget_line:1", "transfer:SIM-…"


@dataclass(frozen=True)
class ReconciliationReport:
    checked_at: datetime
    totals: dict[str, int]
    discrepancies: tuple[Discrepancy, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def codes(self) -> list[str]:
        return [d.code for d in self.discrepancies]

    def lines(self) -> list[str]:
        return [f"[{d.code}] {d.subject}: {d.message}" for d in self.discrepancies]

    def summary(self) -> str:
        t = self.totals
        head = (
            f"对账时间 {self.checked_at.isoformat()}：已支付款项 {t['paid_tranches']} 笔，"
            f"账本拨付 {yuan(t['disbursed_fen'])}，银行流水 {t['transfers']} 笔 {yuan(t['transferred_fen'])}"
        )
        if self.ok:
            return f"{head}。对账无差异。"
        return f"{head}。发现 {len(self.discrepancies)} 处差异。"

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat(),
            "ok": self.ok,
            "totals": dict(self.totals),
            "discrepancies": [asdict(d) for d in self.discrepancies],
        }
