"""Application messages: to the applicant organisation's members (and its custodian centre's), written in the
caller's transaction; recipients, deduplication and e-mail are the notifications room's (``app.notifications``)."""

from __future__ import annotations

import uuid

from app.notifications.service import notify_organisations
from app.workflow.definition import Workflow
from programmes.tables import Application
from programmes.workflows import ApplicationStatus


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
