"""Writing notifications (in the caller's transaction; e-mailed after its commit) and reading one's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app import outbox
from app.auth.principal import Principal
from app.errors import not_found
from app.notifications.schemas import NotificationRead
from app.notifications.tables import Notification
from app.organisations.tables import OrganisationMember
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc


async def notify_user(
    user_id: int, kind: str, title: str, body: str, dedupe_key: str, email_body: str | None = None
) -> bool:
    """One notification; False when ``dedupe_key`` was already used (a repeat adds nothing).

    ``email_body`` replaces ``body`` in the e-mail only and is erased once sent (codes that must not stay readable).
    """
    rows = await Notification.raw(
        'INSERT INTO notification ("user", kind, title, body, email_body, dedupe_key, created_at)'
        " VALUES ({}, {}, {}, {}, {}, {}, now()) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        user_id,
        kind,
        title,
        body,
        email_body,
        dedupe_key,
    )
    if rows:
        # Delivered after the caller's commit (by its unit of work, or the outbox sweep).
        await outbox.stage("send_notifications", f"send_notifications:{uuid.uuid4().hex}")
    return bool(rows)


async def notify_address(
    address: str, kind: str, title: str, body: str, dedupe_key: str, email_body: str | None = None
) -> bool:
    """An e-mail to someone without an account yet (a community invitation): a notification with no user, sent by
    the same ``send_notifications`` job as the others and never listed in-app. False when ``dedupe_key`` was used.

    ``email_body`` is what the e-mail says and is erased once sent; ``body`` is what stays (without any code)."""
    rows = await Notification.raw(
        "INSERT INTO notification (address, kind, title, body, email_body, dedupe_key, created_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, now()) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        address,
        kind,
        title,
        body,
        email_body,
        dedupe_key,
    )
    if rows:
        await outbox.stage("send_notifications", f"send_notifications:{uuid.uuid4().hex}")
    return bool(rows)


async def notify_organisations(
    organisation_ids: Iterable[int], kind: str, title: str, body: str, dedupe_key: str
) -> int:
    """One notification per member of these organisations — a member of several gets one — keyed
    ``<dedupe_key>:<user id>``, so a repeated ``dedupe_key`` adds nothing."""
    members = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation.is_in(sorted(set(organisation_ids)))
    )
    created = 0
    for user_id in sorted({member["user"] for member in members}):
        created += await notify_user(user_id, kind, title, body, f"{dedupe_key}:{user_id}")
    return created


async def list_mine(principal: Principal, paging: PageParams, *, unread_only: bool = False) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    where = [Notification.user == principal.user_id]
    if unread_only:
        where.append(Notification.read_at.is_null())
    query = Notification.select(
        Notification.id,
        Notification.kind,
        Notification.title,
        Notification.body,
        Notification.created_at,
        Notification.read_at,
    ).order_by(Notification.id, ascending=False)
    page = await fetch_page(Notification, query, paging, *where)
    return page.map([NotificationRead(**row) for row in page.items])


async def unread_count(principal: Principal) -> int:
    """How many of the caller's notifications are still unread (the portal header's badge): one COUNT."""
    unread = (Notification.user == principal.user_id) & Notification.read_at.is_null()
    return int(await Notification.count().where(unread))


async def mark_read(principal: Principal, notification_id: int) -> None:
    updated = (
        await Notification.update({Notification.read_at: now_utc()})
        .where((Notification.id == notification_id) & (Notification.user == principal.user_id))
        .returning(Notification.id)
    )
    if not updated:
        raise not_found("通知")
