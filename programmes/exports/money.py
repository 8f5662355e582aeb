"""Money exports (xlsx): the fund summary (资金汇总) and one payment batch's items (批次支付明细).

Both are ``ExportJob`` rows without a round (``kind`` money_summary | batch_payments, DB check
``export_job_round_or_money``), produced by the same worker job as round exports and downloaded through the same
endpoints. Amounts appear twice: as numeric 元 cells formatted ``#,##0.00`` (a spreadsheet can add them up) and as
integer 分, the exact value in the books.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.reference import DISTRICT_NAMES_ZH, District
from programmes.disbursements.access import BATCHES
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.payees.tables import BankAccount
from programmes.tables import BudgetLine, FundSourceKind, PaymentBatch
from programmes.workflows.disbursement import BATCH_ITEM
from programmes.xlsx_export import Row, Sheet

MONEY_KINDS = ("money_summary", "batch_payments")
YUAN_FORMAT = "#,##0.00"
CITY_ZH = "市级"
FUND_KIND_ZH = {
    FundSourceKind.welfare_lottery.value: "福利彩票公益金",
    FundSourceKind.fiscal.value: "财政资金",
    FundSourceKind.foundation.value: "基金会资金",
}
MEASURES_ZH = ("预算", "已承诺", "已拨付", "已退回", "可用余额")


def yuan_cell(fen: int) -> Decimal:
    """Exact: a Decimal with two places, never a float computed from fen."""
    return Decimal(fen).scaleb(-2)


def masked_account(number: str | None) -> str:
    """Only the last four digits leave the system in an export."""
    return f"****{number[-4:]}" if number else ""


def money_summary_scope(principal: Principal) -> str | None:
    """A district officer's summary covers their district only; city staff's covers everything."""
    return None if principal.is_city_staff else principal.district


async def batch_payments_scope(principal: Principal, batch_id: int) -> str | None:
    batch = await load(principal, BATCHES.table, batch_id, columns=(PaymentBatch.scope_district,))
    scope: str | None = batch["scope_district"]
    return scope


# --- money summary ---------------------------------------------------------------------------------------------------


async def _budget_lines(scope: str | None) -> list[dict[str, Any]]:
    """Per budget line: its amount and the ledger's sums by kind (the ledger is the only source of movements)."""
    # The per-kind sums are built from LedgerKind, never from input; values travel as query parameters.
    rows: list[dict[str, Any]] = await BudgetLine.raw(
        "SELECT bl.id, bl.amount_fen AS budget, bl.scope_district, fs.id AS fund_source_id,"  # noqa: S608
        " fs.name AS fund_source, fs.kind AS fund_kind, e.id AS edition_id, e.year, e.title AS edition,"
        " p.name AS programme, "
        + ledger.kind_sums_sql("l")
        + " FROM budget_line bl JOIN fund_source fs ON fs.id = bl.fund_source JOIN edition e ON e.id = bl.edition"
        " JOIN programme p ON p.id = e.programme LEFT JOIN ledger_entry l ON l.budget_line = bl.id"
        " WHERE ({}::varchar IS NULL OR bl.scope_district = {}::varchar)"
        " GROUP BY bl.id, fs.id, e.id, p.id ORDER BY bl.id",
        scope,
        scope,
    )
    return rows


def _measures(lines: Sequence[dict[str, Any]]) -> list[int]:
    budget = sum(int(line["budget"]) for line in lines)
    # Obligated: what awards hold of the budget; reversals and refunds returned to the line lower it.
    obligated = sum(ledger.net_obligation(line) for line in lines)
    disbursed = sum(int(line[LedgerKind.disbursement]) for line in lines)
    refunded = sum(int(line[LedgerKind.refund]) for line in lines)
    return [budget, obligated, disbursed, refunded, budget - obligated]


def _grouped(lines: list[dict[str, Any]], key: Callable[[dict[str, Any]], tuple[Any, ...]], labels: int) -> list[Row]:
    """Rows of (labels…, measures in 元…, measures in 分…), ordered by key, and a 合计 row."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    rows: list[Row] = []
    for group_key in sorted(groups):
        measures = _measures(groups[group_key])
        rows.append([*group_key[-labels:], *map(yuan_cell, measures), *measures])
    total = _measures(lines)
    rows.append(["合计", *[""] * (labels - 1), *map(yuan_cell, total), *total])
    return rows


def _summary_sheet(title: str, labels: list[str], rows: list[Row]) -> Sheet:
    headers = [*labels, *(f"{m}（元）" for m in MEASURES_ZH), *(f"{m}（分）" for m in MEASURES_ZH)]
    formats = {len(labels) + i: YUAN_FORMAT for i in range(len(MEASURES_ZH))}
    return Sheet(title, headers, rows, formats)


def _district_order(district: str | None) -> tuple[int, str]:
    order = list(District)
    return (order.index(District(district)) + 1, district) if district else (0, "")


async def money_summary_sheets(scope: str | None) -> list[Sheet]:
    lines = await _budget_lines(scope)
    by_source = _grouped(
        lines,
        lambda line: (
            line["fund_source"],
            line["fund_source_id"],
            line["fund_source"],
            FUND_KIND_ZH[line["fund_kind"]],
        ),
        2,
    )
    by_district = _grouped(
        lines,
        lambda line: (
            *_district_order(line["scope_district"]),
            DISTRICT_NAMES_ZH[District(line["scope_district"])] if line["scope_district"] else CITY_ZH,
        ),
        1,
    )
    by_programme = _grouped(
        lines,
        lambda line: (line["programme"], line["year"], line["edition_id"], line["programme"], line["edition"]),
        2,
    )
    return [
        _summary_sheet("按资金来源", ["资金来源", "类型"], by_source),
        _summary_sheet("按区", ["区"], by_district),
        _summary_sheet("按项目", ["项目", "届次"], by_programme),
    ]


# --- one batch's payments ------------------------------------------------------------------------------------------

BATCH_HEADERS = [
    "款项编号",
    "期次",
    "资助编号",  # or 订单 N for a 聚力计划 order bought as a service
    "申报单位",
    "收款单位",
    "收款户名",
    "开户行",
    "收款账号（后四位）",
    "金额（元）",
    "金额（分）",
    "支付状态",
    "银行流水号",
    "失败原因",
]


async def batch_payments_sheets(batch_id: int) -> list[Sheet]:
    # The account an item was paid to; for items not paid (yet), the payee's currently verified account.
    items = await BankAccount.raw(
        "SELECT i.tranche, t.sequence, t.award, t.match_order, o.name AS organisation, payee.name AS payee, i.status,"
        " i.provider_reference, i.error, t.amount_fen, coalesce(paid.account_name, current.account_name) AS"
        " account_name, coalesce(paid.bank_name, current.bank_name) AS bank_name,"
        " coalesce(paid.account_number, current.account_number) AS account_number"
        # A tranche pays an award or a 聚力计划 order (政府购买服务): organisation and payee come from either.
        " FROM payment_batch_item i JOIN tranche t ON t.id = i.tranche LEFT JOIN award a ON a.id = t.award"
        " LEFT JOIN application app ON app.id = a.application LEFT JOIN match_order mo ON mo.id = t.match_order"
        " JOIN organisation o ON o.id = coalesce(app.organisation, mo.organisation)"
        " JOIN organisation payee ON payee.id = coalesce(a.payee, mo.payee)"
        " LEFT JOIN bank_account paid ON paid.id = i.payee_account LEFT JOIN bank_account current"
        " ON current.organisation = coalesce(a.payee, mo.payee) AND current.status = 'verified'"
        " WHERE i.batch = {} ORDER BY i.tranche, i.id",
        batch_id,
    )
    rows: list[Row] = [
        [
            item["tranche"],
            item["sequence"],
            item["award"] if item["award"] is not None else f"订单 {item['match_order']}",
            item["organisation"],
            item["payee"],
            item["account_name"] or "",
            item["bank_name"] or "",
            masked_account(item["account_number"]),
            yuan_cell(int(item["amount_fen"])),
            int(item["amount_fen"]),
            BATCH_ITEM.states.get(item["status"], item["status"]),
            item["provider_reference"],
            item["error"],
        ]
        for item in items
    ]
    return [Sheet(f"支付批次{batch_id}", BATCH_HEADERS, rows, {8: YUAN_FORMAT})]


async def sheets_for(kind: str, parameters: dict[str, Any], scope: str | None) -> list[Sheet]:
    if kind == "money_summary":
        return await money_summary_sheets(scope)
    return await batch_payments_sheets(int(parameters["payment_batch_id"]))
