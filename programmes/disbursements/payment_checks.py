"""The rules of reconciliation (对账) over one snapshot, rules (a)–(e) and the totals (``reconciliation.py`` lists
every rule and reads the snapshot): ``Books`` indexes the tranches, ledger entries, awards, budget lines, batch
items and the provider's transfers once, and each ``_check_*`` method applies one group of rules. The refund and
聚力计划 order rules are called from ``check`` and live in ``refund_checks.py`` and ``order_checks.py``."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from app.money import yuan
from app.timezone import now_utc
from programmes.disbursements.order_checks import check_orders, holder_zh
from programmes.disbursements.refund_checks import check_refunds
from programmes.disbursements.statement import Discrepancy, ReconciliationReport, StatementLine
from programmes.ledger import service as ledger
from programmes.ledger.tables import LedgerKind
from programmes.workflows.disbursement import TRANCHE, AwardStatus, BatchItemStatus, TrancheStatus

_TRANCHE_KEY = re.compile(r"^tranche:(\d+)(?::.*)?$")  # a connector may add an attempt suffix


class Books:
    """The three records, indexed once; each ``_check_*`` method applies one group of rules."""

    def __init__(
        self,
        tranches: list[dict[str, Any]],
        entries: list[dict[str, Any]],
        awards: list[dict[str, Any]],
        budget_lines: list[dict[str, Any]],
        items: list[dict[str, Any]],
        transfers: list[StatementLine],
        clawbacks: list[dict[str, Any]],
    ) -> None:
        self.entries = entries
        self.clawbacks = clawbacks
        self.awards = sorted(awards, key=lambda a: int(a["id"]))
        self.budget_lines = sorted(budget_lines, key=lambda b: int(b["id"]))
        self.items = items
        self.transfers = transfers
        self.tranches = {int(t["id"]): t for t in tranches}
        self.paid = {tid: t for tid, t in sorted(self.tranches.items()) if t["status"] == TrancheStatus.paid}
        self.pending_items = {int(i["tranche"]) for i in items if i["status"] == BatchItemStatus.pending}
        self.live_tranche_fen: dict[int, int] = defaultdict(int)  # per award, tranches not cancelled
        self.live_order_tranche_fen: dict[int, int] = defaultdict(int)  # per 聚力计划 order
        for tranche in tranches:
            if tranche["status"] == TrancheStatus.cancelled:
                continue
            if tranche["award"] is not None:
                self.live_tranche_fen[int(tranche["award"])] += int(tranche["amount_fen"])
            else:
                self.live_order_tranche_fen[int(tranche["match_order"])] += int(tranche["amount_fen"])
        self.orders: list[dict[str, Any]] = []
        # Filled by the checks below, used by later ones.
        self.disbursements: dict[int, list[dict[str, Any]]] = defaultdict(list)  # per tranche
        self.award_sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.order_sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.line_sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # per budget line
        self.statement: dict[int, list[StatementLine]] = defaultdict(list)  # per tranche
        self.paid_items: dict[int, list[dict[str, Any]]] = defaultdict(list)  # per tranche
        self.found: list[Discrepancy] = []

    def flag(self, code: str, subject: str, message: str) -> None:
        self.found.append(Discrepancy(code, message, subject))

    def status_of(self, tranche_id: int) -> str:
        tranche = self.tranches.get(tranche_id)
        return str(tranche["status"]) if tranche else "不存在"

    def check(self) -> ReconciliationReport:
        self._check_ledger()
        self._check_statement()
        self._check_items()
        self._check_paid_tranches()
        self._check_awards()
        self._check_budget_lines()
        check_refunds(self.clawbacks, self.entries, self.award_sums, self.flag)
        check_orders(self.orders, self.order_sums, self.live_order_tranche_fen, self.flag)
        totals = {
            "paid_tranches": len(self.paid),
            "paid_fen": sum(int(t["amount_fen"]) for t in self.paid.values()),
            "disbursed_fen": sum(int(e["amount_fen"]) for e in self.entries if e["kind"] == LedgerKind.disbursement),
            "transfers": len(self.transfers),
            "transferred_fen": sum(line.amount_fen for line in self.transfers),
            "awards": len(self.awards),
            "orders": len(self.orders),
            "obligated_fen": sum(ledger.net_obligation(sums) for sums in self.line_sums.values()),
            "refunded_fen": sum(int(e["amount_fen"]) for e in self.entries if e["kind"] == LedgerKind.refund),
            "budget_lines": len(self.budget_lines),
        }
        ordered = tuple(sorted(self.found, key=lambda d: (d.code, d.subject, d.message)))
        return ReconciliationReport(checked_at=now_utc(), totals=totals, discrepancies=ordered)

    def _check_ledger(self) -> None:
        """Sum entries per award and budget line; (b) disbursements need a paid tranche; entries link right."""
        for e in self.entries:
            kind, amount = str(e["kind"]), int(e["amount_fen"])
            holder = holder_zh(e["award"], e["match_order"])  # 资助 N or 订单 N: whose money
            sums = (
                self.award_sums[int(e["award"])] if e["award"] is not None else self.order_sums[int(e["match_order"])]
            )
            sums[kind] += amount
            sums[f"{kind}_count"] += 1
            self.line_sums[int(e["budget_line"])][kind] += amount
            if e["budget_line"] != e["award_budget_line"]:
                self.flag(
                    "ledger_budget_line_mismatch",
                    f"ledger_entry:{e['id']}",
                    f"账本记录 {e['id']}（{kind}）记入预算科目 {e['budget_line']}，"
                    f"但{holder}属于预算科目 {e['award_budget_line']}",
                )
            if kind != LedgerKind.disbursement:
                continue
            if e["tranche"] is None:
                self.flag(
                    "disbursement_without_paid_tranche",
                    f"ledger_entry:{e['id']}",
                    f"账本拨付记录 {e['id']}（{yuan(amount)}）未关联任何拨付款项",
                )
                continue
            tranche_id = int(e["tranche"])
            self.disbursements[tranche_id].append(e)
            if (e["tranche_award"], e["tranche_match_order"]) != (e["award"], e["match_order"]):
                self.flag(
                    "ledger_award_mismatch",
                    f"ledger_entry:{e['id']}",
                    f"账本拨付记录 {e['id']} 记在{holder}名下，"
                    f"但拨付款项 {tranche_id} 属于{holder_zh(e['tranche_award'], e['tranche_match_order'])}",
                )
            if tranche_id not in self.paid:
                self.flag(
                    "disbursement_without_paid_tranche",
                    f"tranche:{tranche_id}",
                    f"账本有拨付款项 {tranche_id} 的拨付记录（{yuan(amount)}），"
                    f"但该款项状态为 {self.status_of(tranche_id)}，不是已支付",
                )

    def _check_statement(self) -> None:
        """(b) every transfer belongs to a paid tranche (or is a payment not recorded yet)."""
        for line in self.transfers:
            match = _TRANCHE_KEY.match(line.idempotency_key)
            if match is None or int(match.group(1)) not in self.tranches:
                self.flag(
                    "transfer_without_tranche",
                    f"transfer:{line.reference}",
                    f"银行流水 {line.reference}（{line.payee_name} {yuan(line.amount_fen)}，"
                    f"幂等键 {line.idempotency_key}）对应不到任何拨付款项",
                )
                continue
            tranche_id = int(match.group(1))
            self.statement[tranche_id].append(line)
            if tranche_id in self.paid:
                continue
            status = self.status_of(tranche_id)
            if status == TrancheStatus.in_batch and tranche_id in self.pending_items:
                self.flag(
                    "transfer_not_recorded",
                    f"tranche:{tranche_id}",
                    f"银行已付款（流水 {line.reference}，{yuan(line.amount_fen)}），"
                    f"但拨付款项 {tranche_id} 尚未记为已支付：支付任务仍在进行或已中断，"
                    "重新运行该批次的支付任务即可按原流水补记，不会重复付款",
                )
            else:
                self.flag(
                    "transfer_without_paid_tranche",
                    f"tranche:{tranche_id}",
                    f"银行流水 {line.reference}（{yuan(line.amount_fen)}）对应的拨付款项 {tranche_id} "
                    f"状态为「{TRANCHE.states.get(status, '未知')}」，不是已支付",
                )

    def _check_items(self) -> None:
        """(e) a paid batch item has a paid tranche."""
        for item in self.items:
            if item["status"] != BatchItemStatus.paid:
                continue
            tranche_id = int(item["tranche"])
            self.paid_items[tranche_id].append(item)
            if tranche_id not in self.paid:
                self.flag(
                    "paid_item_tranche_not_paid",
                    f"tranche:{tranche_id}",
                    f"支付批次 {item['batch']} 中的条目已支付，"
                    f"但拨付款项 {tranche_id} 状态为 {self.status_of(tranche_id)}",
                )

    def _check_paid_tranches(self) -> None:
        """(a) and (e): each paid tranche has one disbursement, one transfer and one paid item, all agreeing."""
        for tranche_id, tranche in self.paid.items():
            amount = int(tranche["amount_fen"])
            subject = f"tranche:{tranche_id}"
            recorded = self.disbursements.get(tranche_id, [])
            if not recorded:
                self.flag(
                    "paid_tranche_without_disbursement",
                    subject,
                    f"拨付款项 {tranche_id} 已支付（{yuan(amount)}），但账本中没有拨付记录",
                )
            elif len(recorded) > 1:
                self.flag(
                    "duplicate_disbursement", subject, f"拨付款项 {tranche_id} 在账本中有 {len(recorded)} 条拨付记录"
                )
            elif int(recorded[0]["amount_fen"]) != amount:
                self.flag(
                    "disbursement_amount_mismatch",
                    subject,
                    f"拨付款项 {tranche_id} 金额 {yuan(amount)}，账本拨付记录为 {yuan(int(recorded[0]['amount_fen']))}",
                )
            transfers = self.statement.get(tranche_id, [])
            if not transfers:
                self.flag(
                    "paid_tranche_without_transfer",
                    subject,
                    f"拨付款项 {tranche_id} 已支付（{yuan(amount)}），但银行流水中没有对应的转账",
                )
            elif len(transfers) > 1:
                self.flag(
                    "duplicate_transfer",
                    subject,
                    f"拨付款项 {tranche_id} 在银行流水中有 {len(transfers)} 笔转账"
                    f"（{'、'.join(t.reference for t in transfers)}）：重复付款",
                )
            elif transfers[0].amount_fen != amount:
                self.flag(
                    "transfer_amount_mismatch",
                    subject,
                    f"拨付款项 {tranche_id} 金额 {yuan(amount)}，"
                    f"银行实际转账 {yuan(transfers[0].amount_fen)}（流水 {transfers[0].reference}）",
                )
            items = self.paid_items.get(tranche_id, [])
            if not items:
                self.flag(
                    "paid_tranche_without_paid_item",
                    subject,
                    f"拨付款项 {tranche_id} 已支付，但没有任何支付批次条目记为已支付",
                )
            elif len(items) > 1:
                self.flag(
                    "tranche_paid_in_several_items",
                    subject,
                    f"拨付款项 {tranche_id} 在多个支付批次（{'、'.join(str(i['batch']) for i in items)}）中记为已支付",
                )
            elif len(transfers) == 1 and items[0]["provider_reference"] != transfers[0].reference:
                self.flag(
                    "item_reference_mismatch",
                    subject,
                    f"支付批次 {items[0]['batch']} 记录的银行流水号为 {items[0]['provider_reference'] or '空'}，"
                    f"银行流水为 {transfers[0].reference}",
                )

    def _check_awards(self) -> None:
        """(c) per award: one obligation, net obligation matches, never paid more than awarded."""
        for award in self.awards:
            award_id, amount = int(award["id"]), int(award["amount_fen"])
            sums = self.award_sums.get(award_id, {})
            subject = f"award:{award_id}"
            obligations = sums.get(f"{LedgerKind.obligation}_count", 0)
            refunded = sums.get(LedgerKind.refund, 0)  # clawed back: no longer obligated, still counted as paid out
            net = ledger.net_obligation(sums)
            disbursed = sums.get(LedgerKind.disbursement, 0)
            active = award["status"] != AwardStatus.cancelled
            if obligations == 0:
                self.flag(
                    "obligation_missing",
                    subject,
                    f"资助 {award_id}（{yuan(amount)}）在账本中没有承诺（obligation）记录",
                )
            elif obligations > 1:
                self.flag("duplicate_obligation", subject, f"资助 {award_id} 在账本中有 {obligations} 条承诺记录")
            if obligations and active and net != amount - refunded:
                self.flag(
                    "obligation_amount_mismatch",
                    subject,
                    f"资助 {award_id} 金额 {yuan(amount)}（已追回 {yuan(refunded)}），"
                    f"账本净承诺（承诺 − 冲回 − 退款）为 {yuan(net)}",
                )
            if obligations and not active and net != disbursed - refunded:
                self.flag(
                    "cancelled_award_not_released",
                    subject,
                    f"资助 {award_id} 已撤销，已支付 {yuan(disbursed)}（已追回 {yuan(refunded)}），"
                    f"但账本净承诺仍为 {yuan(net)}",
                )
            if disbursed > amount or disbursed > net + refunded:
                self.flag(
                    "award_overdisbursed",
                    subject,
                    f"资助 {award_id} 已拨付 {yuan(disbursed)}，"
                    f"超过资助金额 {yuan(amount)} 或净承诺（未减退款）{yuan(net + refunded)}",
                )
            live = self.live_tranche_fen.get(award_id, 0)
            if active and live != amount:
                self.flag(
                    "tranches_not_award_amount",
                    subject,
                    f"资助 {award_id} 金额 {yuan(amount)}，但其未作废的拨付款项合计 {yuan(live)}",
                )

    def _check_budget_lines(self) -> None:
        """(d) no budget line is obligated beyond its amount."""
        for line in self.budget_lines:
            line_id, amount = int(line["id"]), int(line["amount_fen"])
            obligated = ledger.net_obligation(self.line_sums.get(line_id, {}))
            if obligated > amount:
                self.flag(
                    "budget_line_overobligated",
                    f"budget_line:{line_id}",
                    f"预算科目 {line_id} 金额 {yuan(amount)}，净承诺 {yuan(obligated)}，已超出预算",
                )
