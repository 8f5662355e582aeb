"""对账结果, ``/admin/money/reconciliation``: the findings of ``programmes.disbursements.reconciliation.reconcile``
(ledger, tranches and the bank's statement compared) grouped by edition, and the helpers the batch page uses to
show the findings about one batch.

``reconcile`` reads all the books (it is the daily job's check, read-only). A district officer sees only the
findings whose subject row (tranche, award, budget line, batch, clawback, ledger entry, 聚力计划 order) is of their
district; a bank transfer matched to no tranche has no district and is shown to city staff only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from piccolo.table import Table
from starlette.responses import Response

from app.admin.pages.html import esc, page, when
from app.admin.pages.money import MONEY_URL
from app.admin.pages.money_common import cells, table
from app.admin.pages.routing import PageRequest, PageRoute
from app.auth.principal import Principal
from programmes.disbursements.statement import Discrepancy
from programmes.ledger.tables import LedgerEntry
from programmes.matching.tables import MatchOrder
from programmes.tables import Award, BudgetLine, Clawback, PaymentBatch, Tranche

RECONCILIATION_URL = f"{MONEY_URL}/reconciliation"
_SUBJECT_TABLES: dict[str, type[Table]] = {
    "tranche": Tranche,
    "award": Award,
    "budget_line": BudgetLine,
    "payment_batch": PaymentBatch,
    "clawback": Clawback,
    "ledger_entry": LedgerEntry,
    "match_order": MatchOrder,
}
NO_EDITION = "（无法归入届次）"


def _subject(discrepancy: Discrepancy) -> tuple[str, int] | None:
    kind, _, rest = discrepancy.subject.partition(":")
    return (kind, int(rest)) if kind in _SUBJECT_TABLES and rest.isdigit() else None


async def _subject_rows(findings: list[Discrepancy]) -> dict[tuple[str, int], dict[str, Any]]:
    """Each subject's district and, where it has one, its edition: one query per kind of subject."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for finding in findings:
        subject = _subject(finding)
        if subject:
            wanted[subject[0]].add(subject[1])
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for kind, ids in wanted.items():
        table_class = _SUBJECT_TABLES[kind]
        columns: list[Any] = [table_class._meta.primary_key, table_class._meta.get_column_by_name("scope_district")]
        edition = _edition_column(kind)
        if edition is not None:
            columns.append(edition.as_alias("edition"))
        rows = await table_class.select(*columns).where(table_class._meta.primary_key.is_in(sorted(ids)))
        for row in rows:
            found[(kind, row["id"])] = row
    return found


def _edition_column(kind: str) -> Any:
    # Piccolo's FK chains are typed as plain columns; Any lets mypy follow them.
    award: Any = Award.budget_line
    tranche: Any = Tranche.award
    line: Any = BudgetLine.edition
    clawback: Any = Clawback.award
    entry: Any = LedgerEntry.budget_line
    by_kind: dict[str, Any] = {
        "award": award.edition.title,
        "tranche": tranche.budget_line.edition.title,
        "budget_line": line.title,
        "clawback": clawback.budget_line.edition.title,
        "ledger_entry": entry.edition.title,
    }
    return by_kind.get(kind)


async def scoped_discrepancies(principal: Principal) -> list[Discrepancy]:
    """Today's findings the officer may see (all of them for city staff)."""
    findings, _ = await _findings_with_editions(principal)
    return findings


async def _findings_with_editions(principal: Principal) -> tuple[list[Discrepancy], dict[str, str]]:
    from programmes.disbursements.reconciliation import reconcile

    report = await reconcile()
    rows = await _subject_rows(list(report.discrepancies))
    kept: list[Discrepancy] = []
    editions: dict[str, str] = {}
    for finding in report.discrepancies:
        subject = _subject(finding)
        row = rows.get(subject) if subject else None
        district = row["scope_district"] if row else None
        if not principal.is_city_staff and (row is None or district != principal.district):
            continue
        kept.append(finding)
        editions[finding.subject] = (row or {}).get("edition") or NO_EDITION
    return kept, editions


def discrepancy_table(findings: list[Discrepancy]) -> str:
    if not findings:
        return '<p class="notice">对账无差异。</p>'
    return table("对账差异", ["对象", "差异说明"], [cells(esc(f.subject), esc(f.message)) for f in findings])


async def reconciliation_page(request: PageRequest) -> Response:
    from app.timezone import now_utc

    findings, editions = await _findings_with_editions(request.principal)
    by_edition: dict[str, list[Discrepancy]] = defaultdict(list)
    for finding in findings:
        by_edition[editions[finding.subject]].append(finding)
    sections = "".join(
        f"<section><h2>{esc(edition)}</h2>{discrepancy_table(items)}</section>"
        for edition, items in sorted(by_edition.items())
    )
    head = (
        f"<section><p>对账时间（北京时间）：{when(now_utc())}。比对账本、款项与支付批次、银行流水三方记录；"
        f"每日 02:30 由后台任务自动运行，差异须由官员核实处理。</p>"
        f"<p>本范围内差异共 {len(findings)} 处。</p></section>"
    )
    return page("对账结果", head + (sections or '<section><p class="notice">对账无差异。</p></section>'))


MONEY_RECONCILIATION_ROUTES = [PageRoute(r"/money/reconciliation", reconciliation_page)]
