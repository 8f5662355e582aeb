"""预警: risk warnings raised by the daily scan and shown to officers."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.tables import Award


class RiskKind(StrEnum):
    report_overdue = "report_overdue"  # 报告逾期未交
    organisation_listed = "organisation_listed"  # 机构新列入活动异常名录/严重违法失信名单
    certificate_expired = "certificate_expired"  # 登记证书过期
    spending_off_plan = "spending_off_plan"  # 支出明显偏离预算
    application_ineligible = "application_ineligible"  # 在审/已排名/公示中的申报资格复查未通过


class RiskWarning(Table):
    """One warning per (kind, subject) while open (partial unique index in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    kind = Varchar(length=32, choices=RiskKind, null=False)
    subject_key = Varchar(length=100, null=False)  # e.g. "progress_report:12", "organisation:5:abnormal:2026-11-02"
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=True, default=None)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, default=None)
    detail = Text(default="")  # zh-CN, for the officer
    status = Varchar(length=16, null=False, default="open")  # workflows.supervision.RISK_WARNING
    dismissed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    first_seen_at = Timestamptz()
    last_seen_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
