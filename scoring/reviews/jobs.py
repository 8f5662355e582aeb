"""Reminding experts of their open assignments: the worker's scheduled job (due within two days, once per
assignment) and an officer's 催办 for one round (once per assignment and Beijing day, however often it is sent).

Both write notifications with a dedupe key (a repeat adds nothing) inside a unit of work; the e-mail job is staged in
the outbox by ``notify_user`` and handed to arq after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.access import load, staff_filter
from app.auth.principal import Principal
from app.notifications.service import notify_user
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.tables import Round
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.access import ROUNDS
from scoring.tables import ReviewAssignment


def _body(assignment_id: int, due_at: datetime | None) -> str:
    if due_at is None:
        return f"评审任务 {assignment_id} 尚未完成，请尽快完成评分。"
    return f"评审任务 {assignment_id} 将于 {shown(due_at):%Y-%m-%d %H:%M}（北京时间）到期，请尽快完成评分。"


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
                _body(row["id"], row["due_at"]),
                f"review_due:{row['id']}",
            )
    return created


@dataclass(frozen=True)
class RoundReminders:
    open_assignments: int  # assignments still to be scored in the round (in the officer's scope)
    experts: int  # experts holding them
    sent: int  # notifications created now (0 for an assignment already reminded today)


async def remind_round(principal: Principal, round_id: int) -> RoundReminders:
    """Officer in scope reminds (催办) every expert with an open assignment in the round: one notification per
    assignment and Beijing day, so pressing twice the same day notifies nobody twice. Audited on the round."""
    await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district))
    rows = (
        await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.expert, ReviewAssignment.due_at)
        .where(
            (ReviewAssignment.application._.round == round_id)
            & (ReviewAssignment.status == ReviewAssignmentStatus.assigned),
            *staff_filter(principal, ReviewAssignment.scope_district),
        )
        .order_by(ReviewAssignment.id)
    )
    day = f"{shown(now_utc()):%Y-%m-%d}"
    sent = 0
    async with unit_of_work(Actor.of(principal)) as uow:
        for row in rows:
            key = f"review_nudge:{row['id']}:{day}"
            sent += await notify_user(
                row["expert"], "review_nudge", "评审任务催办", _body(row["id"], row["due_at"]), key
            )
        result = RoundReminders(len(rows), len({r["expert"] for r in rows}), sent)
        await uow.audit(
            "round.review_reminders",
            "round",
            round_id,
            after={"open_assignments": result.open_assignments, "experts": result.experts, "sent": result.sent},
        )
    return result
