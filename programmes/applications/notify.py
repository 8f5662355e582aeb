"""Notifications to an application's organisation members: written in the caller's transaction, e-mailed later."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app import outbox
from app.notifications import Notification
from app.organisations.tables import OrganisationMember
from app.workflow.definition import Workflow
from programmes.tables import Application
from programmes.workflows import ApplicationStatus


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


async def notify_members(application_id: int, kind: str, title: str, body: str, dedupe_key: str) -> int:
    """One notification per member of the applicant organisation, and of its custodian centre (财务代管), which
    applies for a filed group; a repeated ``dedupe_key`` adds nothing."""
    application = (
        await Application.select(Application.organisation, Application.organisation._.custodian.as_alias("custodian"))
        .where(Application.id == application_id)
        .first()
    )
    if application is None:
        return 0
    organisations = [application["organisation"], *([application["custodian"]] if application["custodian"] else [])]
    return await notify_organisations(organisations, kind, title, body, dedupe_key)


async def notify_status_change(application_id: int, workflow: Workflow, new_status: str) -> None:
    application = (
        await Application.select(Application.title, Application.returned_reason)
        .where(Application.id == application_id)
        .first()
    )
    if application is None:
        return
    label = workflow.states.get(new_status, new_status)
    body = f"您的申报「{application['title']}」状态已更新为：{label}。"
    if new_status == ApplicationStatus.returned and application["returned_reason"]:
        body += f"退回原因：{application['returned_reason']}"
    await notify_members(
        application_id, "status_change", f"申报状态更新：{label}", body, f"status:{application_id}:{uuid.uuid4().hex}"
    )
