"""The payment plan of an award: which tranches, released on which condition, and which reports it asks for.

Pure validation and layout; ``make_award`` writes the rows in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.errors import DomainError, FieldError
from programmes.awards.schemas import AwardCreate
from programmes.kinds import ReleaseCondition


@dataclass(frozen=True)
class PlannedTrancheRow:
    sequence: int
    amount_fen: int
    condition: ReleaseCondition
    milestone: int | None  # milestone report number (condition = milestone)


@dataclass(frozen=True)
class PlannedReport:
    kind: str  # milestone | final
    sequence: int  # N, or 0 for the final report
    due_on: date


@dataclass(frozen=True)
class PaymentPlan:
    tranches: tuple[PlannedTrancheRow, ...]
    reports: tuple[PlannedReport, ...]
    budget_plan: dict[str, int]


def payment_plan_for(data: AwardCreate) -> PaymentPlan:
    """Validate the officer's plan against the award; every problem is reported with its field at once."""
    errors: list[FieldError] = []

    def flag(field: str, code: str, message: str) -> None:
        errors.append(FieldError(field, code, message))

    entries = data.payment_plan or []
    if not entries:
        tranches: list[PlannedTrancheRow] = [PlannedTrancheRow(1, data.amount_fen, ReleaseCondition.on_signing, None)]
    else:
        tranches = []
    reports: list[PlannedReport] = []
    milestone_number = 0
    final_due: date | None = None
    for index, entry in enumerate(entries):
        field = f"payment_plan[{index}]"
        milestone: int | None = None
        if entry.condition is ReleaseCondition.on_signing:
            if entry.report_due_on is not None:
                errors.append(
                    FieldError(
                        f"{field}.report_due_on", "report_due_on_not_applicable", "协议生效即拨付的款项无需报告日期"
                    )
                )
        elif entry.report_due_on is None:
            errors.append(
                FieldError(
                    f"{field}.report_due_on", "report_due_on_required", "中期或结项后拨付的款项须填写报告截止日期"
                )
            )
        elif entry.condition is ReleaseCondition.milestone:
            milestone_number += 1
            milestone = milestone_number
            if final_due is not None:
                flag(f"{field}.condition", "milestone_after_final", "中期款项须排在结项款项之前")
            if reports and entry.report_due_on <= reports[-1].due_on:
                errors.append(
                    FieldError(f"{field}.report_due_on", "report_dates_not_increasing", "各期报告截止日期须依次递增")
                )
            reports.append(PlannedReport("milestone", milestone, entry.report_due_on))
        else:
            if final_due is not None:
                flag(f"{field}.condition", "final_tranche_repeated", "结项后拨付的款项只能有一笔")
            final_due = entry.report_due_on
        tranches.append(PlannedTrancheRow(index + 1, entry.amount_fen, entry.condition, milestone))
    if entries and sum(e.amount_fen for e in entries) != data.amount_fen:
        flag("payment_plan", "payment_plan_total_mismatch", "拨付计划各笔金额之和须等于资助金额")
    if data.final_report_due_on is not None:
        if final_due is not None and final_due != data.final_report_due_on:
            errors.append(
                FieldError(
                    "final_report_due_on", "final_report_due_on_conflict", "结项报告日期与拨付计划中的日期不一致"
                )
            )
        final_due = data.final_report_due_on
    if final_due is not None:
        if reports and final_due <= reports[-1].due_on:
            errors.append(
                FieldError("final_report_due_on", "report_dates_not_increasing", "结项报告须晚于各期中期报告")
            )
        reports.append(PlannedReport("final", 0, final_due))
    budget_plan = {category.value: amount for category, amount in (data.budget_plan or {}).items()}
    if data.budget_plan is not None:
        if any(amount <= 0 for amount in budget_plan.values()):
            flag("budget_plan", "budget_plan_not_positive", "预算各类金额须为正整数（分）")
        elif sum(budget_plan.values()) != data.amount_fen:
            flag("budget_plan", "budget_plan_total_mismatch", "项目预算各类之和须等于资助金额")
    if errors:
        raise DomainError("payment_plan_invalid", "拨付计划或项目预算有误", 422, errors)
    return PaymentPlan(tuple(tranches), tuple(reports), budget_plan)
