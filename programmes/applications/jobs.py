"""Background work for applications: deadline reminders (cron); e-mails are the notifications room's job.

Safe to run twice: reminders are keyed per round, window, application and user (a unique index keeps the second
one out). Each reminder commits on its own unit of work, acting as Seedbed; the e-mail job is delivered after it.
"""

from __future__ import annotations

from datetime import timedelta

from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.notify import notify_members
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, RoundStatus

REMINDER_WINDOWS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))


async def send_deadline_reminders() -> int:
    """Remind organisations with unfinished applications 3 days and 1 day before a round closes."""
    now = now_utc()
    created = 0
    for label, window in REMINDER_WINDOWS:
        rounds = await Round.select(Round.id, Round.name, Round.closes_at).where(
            (Round.status == RoundStatus.open) & (Round.closes_at > now) & (Round.closes_at <= now + window)
        )
        for round_row in rounds:
            drafts = await Application.select(Application.id, Application.title).where(
                (Application.round == round_row["id"])
                & Application.status.is_in(APPLICATION.states_with("applicant_edits"))
            )
            for draft in drafts:
                async with unit_of_work(Actor.system()):
                    created += await notify_members(
                        draft["id"],
                        "deadline_reminder",
                        f"申报即将截止：{round_row['name']}",
                        f"「{draft['title']}」尚未提交，申报将于 {shown(round_row['closes_at']):%Y-%m-%d %H:%M}"
                        "（北京时间）截止，请尽快完成并提交。",
                        f"deadline:{label}:{round_row['id']}:{draft['id']}",
                    )
    return created
