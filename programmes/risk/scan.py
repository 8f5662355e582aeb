"""预警: the daily risk scan over active awards (the officers' view of its warnings is ``programmes.risk.service``).

``scan_risks`` computes every risk condition that holds today, then brings ``risk_warning`` in line with it:
a new condition raises a warning (``open``), one that still holds only refreshes ``last_seen_at`` (and the detail,
whose amounts may have changed), and an open warning whose condition is gone is resolved by the system. A warning
an officer dismissed stays dismissed for its ``subject_key``; subject keys carry the date of a listing or a
certificate, so a *new* listing is a new subject and raises a new warning.

Concurrent scans (two workers, a manual run during the cron) serialise on a transaction-level advisory lock, and
the insert goes through ``ON CONFLICT`` against the partial unique index ``risk_warning_one_open`` besides.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app.money import yuan
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.service import CATEGORY_ZH
from programmes.risk.application_risks import application_findings
from programmes.risk.finding import Finding
from programmes.risk.tables import RiskKind, RiskWarning
from programmes.workflows.agreements import ProgressReportStatus
from programmes.workflows.supervision import RiskWarningStatus

# Spending in a category above this share of its planned amount is off plan (integer percent, no floats).
OVERSPEND_PERCENT = 120
# One lock key for every scan: pg_advisory_xact_lock(hashtext(...)) is released at commit or rollback.
SCAN_LOCK = "seedbed:risk_scan"


async def scan_risks(today: date) -> dict[str, int]:
    """Raise, refresh and resolve warnings as of ``today`` (a Shanghai calendar date). System only (the cron)."""
    async with unit_of_work(Actor.system()) as uow:
        await RiskWarning.raw("SELECT pg_advisory_xact_lock(hashtext({}))", SCAN_LOCK)
        findings = [
            *await _overdue_reports(today),
            *await _organisation_findings(today),
            *await _spending_findings(),
            *await application_findings(),
        ]
        now = now_utc()
        counts = {"raised": 0, "refreshed": 0, "resolved": 0, "skipped_dismissed": 0}
        for finding in findings:
            counts[await _upsert(finding, now)] += 1
        holding = {(f.kind, f.subject_key) for f in findings}
        stale = await RiskWarning.select(RiskWarning.id, RiskWarning.kind, RiskWarning.subject_key).where(
            RiskWarning.status == RiskWarningStatus.open
        )
        for row in stale:
            if (row["kind"], row["subject_key"]) not in holding:
                await uow.transition(RiskWarning, row["id"], "resolve", values={"closed_at": now})
                counts["resolved"] += 1
    return counts


async def _upsert(finding: Finding, now: Any) -> str:
    refreshed = await RiskWarning.raw(
        "UPDATE risk_warning SET last_seen_at = {}, detail = {}"
        " WHERE kind = {} AND subject_key = {} AND status = 'open' RETURNING id",
        now,
        finding.detail,
        finding.kind,
        finding.subject_key,
    )
    if refreshed:
        return "refreshed"
    raised = await RiskWarning.raw(
        "INSERT INTO risk_warning (kind, subject_key, award, organisation, detail, status, first_seen_at,"
        " last_seen_at, scope_district) SELECT {}::varchar, {}::varchar, {}::int, {}::int, {}::text, 'open',"
        " {}::timestamptz, {}::timestamptz, {}::varchar"
        " WHERE NOT EXISTS (SELECT 1 FROM risk_warning WHERE kind = {} AND subject_key = {} AND status = 'dismissed')"
        " ON CONFLICT (kind, subject_key) WHERE status = 'open' DO NOTHING RETURNING id",
        finding.kind,
        finding.subject_key,
        finding.award_id,
        finding.organisation_id,
        finding.detail,
        now,
        now,
        finding.scope_district,
        finding.kind,
        finding.subject_key,
    )
    return "raised" if raised else "skipped_dismissed"


async def _overdue_reports(today: date) -> list[Finding]:
    rows = await RiskWarning.raw(
        "SELECT r.id, r.kind, r.sequence, r.due_on, r.status, a.id AS award_id, a.scope_district,"
        " app.organisation, app.title FROM progress_report r JOIN award a ON a.id = r.award"
        " JOIN application app ON app.id = a.application"
        " WHERE a.status = 'active' AND r.status IN ('due', 'returned') AND r.due_on < {} ORDER BY r.id",
        today,
    )
    findings = []
    for row in rows:
        report = "结项报告" if row["kind"] == "final" else f"第 {row['sequence']} 期中期报告"
        state = "退回修改后尚未重新提交" if row["status"] == ProgressReportStatus.returned else "尚未提交"
        findings.append(
            Finding(
                RiskKind.report_overdue.value,
                f"progress_report:{row['id']}",
                row["award_id"],
                row["organisation"],
                f"项目「{row['title']}」的{report}应于 {row['due_on'].isoformat()} 前提交，{state}",
                row["scope_district"],
            )
        )
    return findings


async def _organisation_findings(today: date) -> list[Finding]:
    """Listings and expired certificates of organisations that hold an active award (one warning per organisation
    and date, attached to its earliest active award; city-level if its awards lie in several scopes)."""
    rows = await RiskWarning.raw(
        "SELECT o.id, o.name, o.abnormal_listed_on, o.serious_violation_listed_on, o.certificate_expires_on,"
        " min(a.id) AS award_id, array_agg(DISTINCT coalesce(a.scope_district, '')) AS scopes"
        " FROM award a JOIN application app ON app.id = a.application JOIN organisation o ON o.id = app.organisation"
        " WHERE a.status = 'active' AND (o.abnormal_listed_on IS NOT NULL OR o.serious_violation_listed_on IS NOT NULL"
        " OR o.certificate_expires_on < {}) GROUP BY o.id ORDER BY o.id",
        today,
    )
    findings = []
    for row in rows:
        scopes = row["scopes"]
        scope = (scopes[0] or None) if len(scopes) == 1 else None
        conditions = [
            ("abnormal", row["abnormal_listed_on"], RiskKind.organisation_listed, "于 {d} 被列入活动异常名录"),
            (
                "serious",
                row["serious_violation_listed_on"],
                RiskKind.organisation_listed,
                "于 {d} 被列入严重违法失信名单",
            ),
        ]
        expires = row["certificate_expires_on"]
        if expires is not None and expires < today:
            conditions.append(("certificate", expires, RiskKind.certificate_expired, "的登记证书已于 {d} 到期"))
        for suffix, when, kind, text in conditions:
            if when is None:
                continue
            findings.append(
                Finding(
                    kind.value,
                    f"organisation:{row['id']}:{suffix}:{when.isoformat()}",
                    row["award_id"],
                    row["id"],
                    f"{row['name']}{text.format(d=when.isoformat())}",
                    scope,
                )
            )
    return findings


async def _spending_findings() -> list[Finding]:
    awards = await RiskWarning.raw(
        "SELECT a.id, a.scope_district, app.organisation, app.title, ag.budget_plan,"
        " (SELECT coalesce(sum(amount_fen), 0) FROM ledger_entry l WHERE l.award = a.id AND l.kind = 'disbursement')"
        " AS disbursed FROM award a JOIN application app ON app.id = a.application"
        " JOIN agreement ag ON ag.award = a.id"
        " WHERE a.status = 'active' AND EXISTS (SELECT 1 FROM progress_report r JOIN report_expense e"
        " ON e.report = r.id WHERE r.award = a.id AND r.status IN ('submitted', 'accepted')) ORDER BY a.id"
    )
    if not awards:
        return []
    spent_rows = await RiskWarning.raw(
        "SELECT r.award, e.category, sum(e.amount_fen) AS spent FROM report_expense e"
        " JOIN progress_report r ON r.id = e.report WHERE r.status IN ('submitted', 'accepted')"
        " AND r.award = ANY({}) GROUP BY r.award, e.category",
        [a["id"] for a in awards],
    )
    spent: dict[int, dict[str, int]] = {}
    for row in spent_rows:
        spent.setdefault(row["award"], {})[row["category"]] = int(row["spent"])
    findings = []
    for award in awards:
        problems = spending_problems(_plan(award["budget_plan"]), spent.get(award["id"], {}), int(award["disbursed"]))
        if problems:
            findings.append(
                Finding(
                    RiskKind.spending_off_plan.value,
                    f"award:{award['id']}:spending",
                    award["id"],
                    award["organisation"],
                    f"项目「{award['title']}」：" + "；".join(problems),
                    award["scope_district"],
                )
            )
    return findings


def spending_problems(plan: dict[str, int], spent: dict[str, int], disbursed_fen: int) -> list[str]:
    """zh-CN lines for every way reported spending departs from the plan (empty when it does not).

    Without a budget plan there is nothing to compare categories with; the total is still checked."""
    problems = []
    for category in sorted(spent, key=lambda c: list(CATEGORY_ZH).index(c) if c in CATEGORY_ZH else 99):
        amount = spent[category]
        label = CATEGORY_ZH.get(category, category)
        planned = plan.get(category)
        if planned is None:
            if plan:
                problems.append(f"{label}：预算外支出 {yuan(amount)}")
        elif amount * 100 > planned * OVERSPEND_PERCENT:
            problems.append(f"{label}：已报支出 {yuan(amount)}，超过预算 {yuan(planned)} 的 {OVERSPEND_PERCENT}%")
    total = sum(spent.values())
    if total > disbursed_fen:
        problems.append(f"报告支出合计 {yuan(total)}，超过已拨付 {yuan(disbursed_fen)}")
    return problems


def _plan(raw: Any) -> dict[str, int]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return {str(k): int(v) for k, v in (value or {}).items()}
