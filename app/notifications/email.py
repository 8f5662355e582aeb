"""E-mail delivery of notifications (the ``send_notifications`` job): each pending one is claimed, sent, and
released again if sending fails, so running the job twice never sends a message twice."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from app.notifications.tables import Notification
from app.settings import get_settings
from app.timezone import now_utc

log = logging.getLogger(__name__)


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
            Notification.address,
            Notification.user._.email.as_alias("email"),
        )
        .where(
            Notification.emailed_at.is_null()
            # Accounts without a real address (the placeholder domain) are never e-mailed; skip them in the query so
            # they cannot crowd out real ones. A notification to an address (no account yet) goes there.
            & (
                (Notification.address != "")
                | (Notification.user._.email.not_like("%.invalid") & (Notification.user._.email != ""))
            )
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
        message["From"], message["To"], message["Subject"] = (
            settings.smtp_from,
            item["address"] or item["email"],
            item["title"],
        )
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
