"""Attachments (附件) on applications: upload by members while editable, download by those allowed to see them.

Upload order: spool to a temp file (size-limited, hashed) → check the content type against the round → check the
application's total → virus-scan hook → store under a server-made key → insert the row (audited).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import lru_cache
from typing import Any

from app.access import Row, can, load, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.settings import get_settings
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.access import APPLICATIONS
from programmes.applications.repository import accepting_round
from programmes.applications.repository import lock as lock_application
from programmes.attachments.schemas import AttachmentRead
from programmes.attachments.tables import Attachment
from programmes.content_types import check_upload, filename_for
from programmes.ports import review_side
from programmes.storage import (
    AttachmentStorage,
    LocalFileStorage,
    NoopScanner,
    Payload,
    VirusScanner,
    check_application_total,
    ensure_clean,
    new_key,
    spool_upload,
)
from programmes.tables import Application
from programmes.workflows import APPLICATION
from programmes.workflows.agreements import AgreementStatus
from programmes.workflows.disbursement import AwardStatus


@lru_cache
def storage() -> AttachmentStorage:
    return LocalFileStorage(get_settings().storage_dir, max_bytes=None)


def scanner() -> VirusScanner:
    # Extension point: return a ClamAV-backed scanner here (docs/attachments-and-exports.md).
    return NoopScanner()


# What the attachment rules read of an application (its round's file settings and blindness with it).
_APPLICATION_COLUMNS = (
    Application.id,
    Application.organisation,
    Application.status,
    Application.scope_district,
    Application.round,
    Application.round._.blind.as_alias("blind"),
    Application.round._.attachment_types.as_alias("attachment_types"),
    Application.round._.max_attachment_bytes.as_alias("max_file"),
    Application.round._.max_application_attachment_bytes.as_alias("max_total"),
)


async def may_see_files(principal: Principal, row: Row) -> tuple[bool, str]:
    """Members of the organisation, officers in scope, and assigned experts in rounds that are not blind."""
    if principal.role is Role.expert:
        if row["blind"]:
            return False, "blind_round"
        assigned = await review_side().is_assigned(row["id"], principal.user_id)
        return (True, "ok") if assigned else (False, "not_assigned")
    return await can(principal, "reader", Application, row)


# The applications room's policy answers for the application's files too; the expert branch is this room's.
APPLICATIONS.rules["files"] = may_see_files
ATTACHMENTS = protect(Attachment, "附件")


async def _application_for(principal: Principal, application_id: int, need: str) -> dict[str, Any]:
    return await load(principal, Application, application_id, need, columns=_APPLICATION_COLUMNS, load_json=True)


async def _reporting(application_id: int) -> bool:
    """The project is funded and its agreement in force: reports (and their files) are due."""
    from programmes.agreements.tables import Agreement

    return await Agreement.exists().where(
        (Agreement.award._.application == application_id)
        & (Agreement.status == AgreementStatus.effective)
        & (Agreement.award._.status == AwardStatus.active)
    )


async def upload(principal: Principal, application_id: int, filename: str, data: Payload) -> AttachmentRead:
    """A member uploads a file to an application that is still a draft or returned for revision, or — once funded
    under an effective agreement — as evidence for its progress reports (中期/结项报告附件)."""
    application = await _application_for(principal, application_id, "member")
    await _check_accepts_files(application, application["status"])  # fast refusal; re-checked under the lock
    async with spool_upload(data, max_bytes=application["max_file"]) as spooled:
        detected = check_upload(filename, spooled.path, application["attachment_types"] or [])
        check_application_total(await _total_bytes(application_id), spooled.size, application["max_total"])
        await ensure_clean(scanner(), spooled.path)
        key = new_key(application_id)
        stored = await storage().save(key, spooled.path)
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            # Under the application's row lock, which submit takes too: a file never joins (or, in delete, leaves)
            # an application after it was submitted, so staff and experts see the attachments as submitted; and
            # two concurrent uploads cannot both pass the total-size limit.
            locked = await lock_application(application_id)
            await _check_accepts_files(application, locked["status"])
            check_application_total(await _total_bytes(application_id), stored.size, application["max_total"])
            rows = await Attachment.insert(
                Attachment(
                    application=application_id,
                    storage_key=key,
                    filename=filename_for(filename, detected),
                    content_type=detected.mime,
                    size_bytes=stored.size,
                    sha256=stored.sha256,
                    uploaded_by=principal.user_id,
                    scope_district=application["scope_district"],
                )
            ).returning(Attachment.id)
            await uow.audit(
                "attachment.upload",
                "application",
                application_id,
                after={"attachment_id": rows[0]["id"], "sha256": stored.sha256, "size": stored.size},
            )
    except BaseException:
        await storage().delete(key)  # refused or failed: no orphan bytes without a row
        raise
    return await read(int(rows[0]["id"]))


async def _check_accepts_files(application: Mapping[str, Any], status: str) -> None:
    if APPLICATION.has(status, "applicant_edits"):
        await accepting_round(application["round"])  # the deadline applies to files as to answers
    elif not await _reporting(application["id"]):
        raise conflict("application_not_editable", "申报已提交，不能再上传附件")


async def _total_bytes(application_id: int) -> int:
    rows = await Attachment.select(Attachment.size_bytes).where(Attachment.application == application_id)
    return sum(int(r["size_bytes"]) for r in rows)


def _as_read(row: Mapping[str, Any]) -> AttachmentRead:
    return AttachmentRead(
        id=row["id"],
        application_id=row["application"],
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        uploaded_at=row["created_at"],
    )


async def read(attachment_id: int) -> AttachmentRead:
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if row is None:
        raise not_found(ATTACHMENTS.label_zh)
    return _as_read(row)


async def list_for(principal: Principal, application_id: int, paging: PageParams) -> Page[AttachmentRead]:
    await _application_for(principal, application_id, "files")
    query = Attachment.select().order_by(Attachment.id)
    page = await fetch_page(Attachment, query, paging, Attachment.application == application_id)
    return page.map([_as_read(row) for row in page.items])


async def download(principal: Principal, attachment_id: int) -> tuple[AttachmentRead, AsyncIterator[bytes]]:
    row = await load(principal, Attachment, attachment_id, "any")
    await _application_for(principal, row["application"], "files")
    return _as_read(row), await storage().open(row["storage_key"])


async def delete(principal: Principal, attachment_id: int) -> None:
    row = await load(principal, Attachment, attachment_id, "any")
    application = await _application_for(principal, row["application"], "any")
    if not (await can(principal, "member", Application, application))[0]:
        raise not_found(ATTACHMENTS.label_zh)  # a file of someone else's application does not exist for the caller
    _check_deletable(application["status"])
    await accepting_round(application["round"])
    async with unit_of_work(Actor.of(principal)) as uow:
        _check_deletable((await lock_application(row["application"]))["status"])  # as in upload
        await Attachment.delete().where(Attachment.id == attachment_id)
        await uow.audit(
            "attachment.delete",
            "application",
            row["application"],
            before={"attachment_id": attachment_id, "sha256": row["sha256"]},
        )
    await storage().delete(row["storage_key"])


def _check_deletable(status: str) -> None:
    if not APPLICATION.has(status, "applicant_edits"):
        raise conflict("application_not_editable", "申报已提交，不能再删除附件")
