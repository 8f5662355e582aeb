"""Report reminders (daily cron): 7 days and 1 day before a report is due, and an overdue notice (逾期) every day
after, for reports still due or returned under an effective agreement.

Safe to run any number of times: every notification has a dedupe key (the 7-day and 1-day reminders once per report
and due date, the overdue notice once per report and day), and a unique index keeps repeats out. Windows rather
than exact days, so a worker that was down on the 7th day before still reminds on the 6th.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.agreements.tables import Agreement
from programmes.applications.notify import notify_members
from programmes.reports.service import report_name
from programmes.reports.tables import ProgressReport
from programmes.workflows.agreements import PROGRESS_REPORT, AgreementStatus

WINDOWS = (("7d", 7), ("1d", 1))  # label, days before due_on (the 1-day window includes the due day itself)


def today_in_shanghai() -> date:
    return shown(now_utc()).date()


async def send_report_reminders(today: date | None = None) -> dict[str, int]:
    """Notifications created, per kind: ``due_7d``, ``due_1d``, ``overdue`` (0 when they were already sent)."""
    day = today or today_in_shanghai()
    counts = {"due_7d": 0, "due_1d": 0, "overdue": 0}
    effective = await Agreement.select(Agreement.award).where(Agreement.status == AgreementStatus.effective)
    if not effective:
        return counts
    reports = await ProgressReport.select(
        ProgressReport.id,
        ProgressReport.kind,
        ProgressReport.sequence,
        ProgressReport.due_on,
        ProgressReport.award.application.as_alias("application_id"),
        ProgressReport.award._.application._.title.as_alias("title"),
    ).where(
        ProgressReport.status.is_in(PROGRESS_REPORT.states_with("applicant_edits"))
        & ProgressReport.award.is_in([a["award"] for a in effective])
        & (ProgressReport.due_on <= day + timedelta(days=WINDOWS[0][1]))
    )
    for report in reports:
        name = report_name(report["kind"], report["sequence"])
        days_left = (report["due_on"] - day).days
        due = report["due_on"].isoformat()
        if days_left < 0:
            kind, title = "overdue", f"{name}已逾期"
            body = f"「{report['title']}」的{name}应于 {due} 前提交，已逾期 {-days_left} 天，请尽快提交。"
            key = f"report:{report['id']}:overdue:{day.isoformat()}"
        else:
            label = next(label for label, days in reversed(WINDOWS) if days_left <= days)
            kind, title = f"due_{label}", f"{name}即将截止"
            left = f"尚余 {days_left} 天" if days_left else "今天截止"
            body = f"「{report['title']}」的{name}须于 {due} 前提交，{left}。"
            key = f"report:{report['id']}:due:{due}:{label}"
        # One unit per report: each reminder commits (and its e-mail job is handed over) on its own.
        async with unit_of_work(Actor.system()):
            counts[kind] += await notify_members(report["application_id"], f"report_{kind}", title, body, key)
    return counts
