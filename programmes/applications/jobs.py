"""Background work for applications: deadline reminders (cron) and e-mail delivery of notifications.

Both are safe to run twice: reminders are keyed per round, window, application and user (a unique index keeps
the second one out), and e-mails are sent only for notifications not yet marked ``emailed_at``.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from app import outbox
from app.db import engine
from app.notifications import Notification
from app.settings import get_settings
from app.timezone import now_utc, shown
from programmes.applications.notify import notify_members
from programmes.tables import Application, Round

log = logging.getLogger(__name__)

REMINDER_WINDOWS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))


async def send_deadline_reminders() -> int:
    """Remind organisations with unfinished applications 3 days and 1 day before a round closes."""
    now = now_utc()
    created = 0
    for label, window in REMINDER_WINDOWS:
        rounds = await Round.select(Round.id, Round.name, Round.closes_at).where(
            (Round.status == "open") & (Round.closes_at > now) & (Round.closes_at <= now + window)
        )
        for round_row in rounds:
            drafts = await Application.select(Application.id, Application.title).where(
                (Application.round == round_row["id"]) & Application.status.is_in(["draft", "returned"])
            )
            for draft in drafts:
                async with engine().transaction():
                    created += await notify_members(
                        draft["id"],
                        "deadline_reminder",
                        f"申报即将截止：{round_row['name']}",
                        f"「{draft['title']}」尚未提交，申报将于 {shown(round_row['closes_at']):%Y-%m-%d %H:%M}"
                        "（北京时间）截止，请尽快完成并提交。",
                        f"deadline:{label}:{round_row['id']}:{draft['id']}",
                    )
    if created:
        await outbox.flush()
    return created


async def send_pending_emails() -> int:
    """E-mail notifications when SMTP is configured; otherwise they stay in-app only (still visible in the API)."""
    settings = get_settings()
    if not settings.smtp_host:
        return 0
    pending = (
        await Notification.select(
            Notification.id,
            Notification.title,
            Notification.body,
            Notification.email_body,
            Notification.user._.email.as_alias("email"),
        )
        .where(
            Notification.emailed_at.is_null()
            # Accounts without a real address (the placeholder domain) are never e-mailed; skip them in the query so
            # they cannot crowd out real ones.
            & Notification.user._.email.not_like("%.invalid")
            & (Notification.user._.email != "")
        )
        .order_by(Notification.id)
        .limit(200)
    )
    sent = 0
    for item in pending:
        claimed = (
            await Notification.update({Notification.emailed_at: now_utc()})
            .where((Notification.id == item["id"]) & Notification.emailed_at.is_null())
            .returning(Notification.id)
        )
        if not claimed:
            continue  # another worker took it
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.smtp_from, item["email"], item["title"]
        message.set_content(item["email_body"] or item["body"])
        try:
            await asyncio.to_thread(_send, message)
        except (OSError, smtplib.SMTPException):
            # Release the claim so the next run retries it.
            await Notification.update({Notification.emailed_at: None}).where(Notification.id == item["id"])
            log.warning("notification e-mail failed; will retry", exc_info=True)
            continue
        if item["email_body"] is not None:
            # Sent: the code it carries no longer needs to exist anywhere but the recipient's mailbox.
            await Notification.update({Notification.email_body: None}).where(Notification.id == item["id"])
        sent += 1
    return sent


def _send(message: EmailMessage) -> None:
    settings = get_settings()
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
