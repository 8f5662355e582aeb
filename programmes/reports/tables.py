"""中期/结项报告: milestone and final reports of funded projects, with their expense lines."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, BigInt, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District
from programmes.tables import Award, ExpenseCategory


class ReportKind(StrEnum):
    milestone = "milestone"  # 中期报告（第 N 期）
    final = "final"  # 结项报告


class ProgressReport(Table):
    """One report an award's payment plan asks for; (award, kind, sequence) is unique (migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=16, choices=ReportKind, null=False)
    sequence = Integer(null=False)  # milestone number N; 0 for the final report
    due_on = Date(null=False)
    status = Varchar(length=16, null=False, default="due")  # workflows.agreements.PROGRESS_REPORT
    answers = JSONB(default={})
    attachment_ids = JSONB(default=[])  # attachments of the award's application, uploaded as usual
    submitted_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    return_reason = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class ReportExpense(Table):
    """A spending line of a report, booked against a category of the agreement's budget plan."""

    id: Serial  # added by Piccolo; declared for the type checker
    report = ForeignKey(ProgressReport, on_delete=OnDelete.cascade, null=False)
    category = Varchar(length=16, choices=ExpenseCategory, null=False)
    description = Varchar(length=500, null=False)
    amount_fen = BigInt(null=False)
    spent_on = Date(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
