"""A call's rules as people need them on its page: the deadline with the days left, who may apply (the screening's
own rules in words), the attachment types and sizes, the tracks; and, for a signed-in applicant, the eligibility
pre-check of each of their organisations (the screening's rules run now, nothing recorded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.auth.principal import Principal
from app.auth.tables import Role
from app.timezone import now_utc
from programmes.applications.schemas import PrecheckRead
from programmes.applications.screening import precheck
from programmes.catalogue.schemas import RoundRead
from programmes.content_types import TYPES, normalise_declared
from programmes.eligibility import EligibilityRules, Severity, requirements_zh

MB = 1024 * 1024


def time_left(closes_at: datetime, now: datetime | None = None) -> str:
    """「还剩 N 天」 in whole days; the last day in hours, so nobody reads 「还剩 0 天」 and gives up."""
    left = closes_at - (now or now_utc())
    if left.total_seconds() <= 0:
        return "已截止"
    if left.days >= 1:
        return f"还剩 {left.days} 天"
    hours = int(left.total_seconds() // 3600)
    return f"还剩 {hours} 小时" if hours >= 1 else "即将截止（不足 1 小时）"


@dataclass(frozen=True)
class CallRules:
    who_may_apply: list[str]
    attachment_types: list[str]
    max_attachment_mb: int
    max_application_attachment_mb: int


def call_rules(call: RoundRead) -> CallRules:
    rules = EligibilityRules.model_validate(call.eligibility_rules or {})
    kinds = normalise_declared(call.attachment_types)
    return CallRules(
        who_may_apply=requirements_zh(rules, programme_district=call.scope_district),
        attachment_types=[t.label_zh for kind, t in TYPES.items() if kind in kinds],  # documents first, then images
        max_attachment_mb=call.max_attachment_bytes // MB,
        max_application_attachment_mb=call.max_application_attachment_bytes // MB,
    )


@dataclass(frozen=True)
class PrecheckRow:
    """One organisation's pre-check as shown: 「符合」, or 「不符合」 with each reason; warnings either way."""

    organisation: str
    via_custodian: bool
    eligible: bool
    reasons: list[str]
    warnings: list[str]


async def precheck_rows(principal: Principal | None, round_id: int) -> list[PrecheckRow] | None:
    """None for anyone but a signed-in applicant (the page then says who may apply only)."""
    if principal is None or principal.role is not Role.applicant:
        return None
    return [_row(checked) for checked in await precheck(principal, round_id)]


def _row(checked: PrecheckRead) -> PrecheckRow:
    return PrecheckRow(
        organisation=checked.organisation_name,
        via_custodian=checked.via_custodian,
        eligible=checked.eligible,
        reasons=[f.reason for f in checked.findings if f.severity == Severity.ineligible],
        warnings=[f.reason for f in checked.findings if f.severity != Severity.ineligible],
    )
