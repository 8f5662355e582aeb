"""The review side's scheduled job: remind experts of open assignments about to fall due (run by the worker)."""

from __future__ import annotations

from datetime import timedelta

from app.notifications.service import notify_user
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.tables import ReviewAssignment


async def send_review_reminders() -> int:
    """Remind experts of open assignments due within two days (once per assignment: the notification's key)."""
    now = now_utc()
    due = await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.expert, ReviewAssignment.due_at).where(
        (ReviewAssignment.status == ReviewAssignmentStatus.assigned)
        & ReviewAssignment.due_at.is_not_null()
        & (ReviewAssignment.due_at <= now + timedelta(days=2))
    )
    created = 0
    for row in due:
        # One unit per reminder: each commits (and is delivered) on its own.
        async with unit_of_work(Actor.system()):
            created += await notify_user(
                row["expert"],
                "review_due",
                "评审任务即将到期",
                f"评审任务 {row['id']} 将于 {shown(row['due_at']):%Y-%m-%d %H:%M}（北京时间）到期，请尽快完成评分。",
                f"review_due:{row['id']}",
            )
    return created
