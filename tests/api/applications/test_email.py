"""Notifications are e-mailed when SMTP is configured (a fake SMTP server stands in for the mail provider)."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import httpx
from piccolo.apps.user.tables import BaseUser

from app.auth.tables import Role
from app.notifications import Notification
from app.notifications.email import send_pending_emails
from app.notifications.service import notify_user
from app.settings import get_settings
from tests import factories
from tests.factories.smtp import FakeSMTP


async def test_notifications_are_emailed_once_to_real_addresses(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    real = await factories.user(Role.applicant)
    placeholder = await factories.user(Role.applicant)
    await BaseUser.update({BaseUser.email: "li.ming@example.org"}).where(BaseUser.id == real.id)
    assert await notify_user(real.id, "status_change", "申报状态更新：已提交", "您的申报已提交。", "t:1")
    assert await notify_user(placeholder.id, "status_change", "申报状态更新：已提交", "您的申报已提交。", "t:2")
    assert await send_pending_emails() == 1
    assert await send_pending_emails() == 0  # claimed once, never sent twice
    [raw] = smtp.messages
    message = message_from_bytes(raw, policy=default)
    assert message["To"] == "li.ming@example.org" and message["Subject"] == "申报状态更新：已提交"
    emailed = await Notification.select(Notification.user, Notification.emailed_at).order_by(Notification.id)
    assert emailed[0]["emailed_at"] is not None and emailed[1]["emailed_at"] is None  # placeholder: in-app only


async def test_a_failed_send_is_retried(client: httpx.AsyncClient, smtp_settings: None) -> None:
    settings = get_settings()
    real = await factories.user(Role.applicant)
    await BaseUser.update({BaseUser.email: "retry@example.org"}).where(BaseUser.id == real.id)
    await notify_user(real.id, "status_change", "标题", "正文", "t:3")
    port, settings.smtp_port = settings.smtp_port, 1  # nothing listens there
    assert await send_pending_emails() == 0
    settings.smtp_port = port
    assert await Notification.count().where(Notification.emailed_at.is_null()) == 1
