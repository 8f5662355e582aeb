"""Attachments (附件) on applications: upload by members while editable, download by those allowed to see them.

Upload order: spool to a temp file (size-limited, hashed) → check the content type against the round → check the
application's total → virus-scan hook → store under a server-made key → insert the row (audited).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Role
from app.db import engine
from app.errors import conflict, not_found
from app.organisations.custody import acting_organisation_ids
from app.settings import get_settings
from programmes.applications.repository import accepting_round
from programmes.applications.repository import lock as lock_application
from programmes.attachments.tables import Attachment
from programmes.content_types import check_upload, filename_for
from programmes.ports import review_side
from programmes.scope import ensure_staff_scope
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


@lru_cache
def storage() -> AttachmentStorage:
    return LocalFileStorage(get_settings().storage_dir, max_bytes=None)


def scanner() -> VirusScanner:
    # Extension point: return a ClamAV-backed scanner here (docs/attachments-and-exports.md).
    return NoopScanner()


async def _application_for(application_id: int) -> dict[str, Any]:
    row = (
        await Application.select(
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
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise not_found("申报")
    return dict(row)


async def ensure_can_read(principal: Principal, application: dict[str, Any]) -> None:
    """Members of the organisation, officers in scope, and assigned experts in rounds that are not blind."""
    if principal.role is Role.applicant:
        if application["organisation"] in await acting_organisation_ids(principal.user_id):
            return
    elif principal.is_staff:
        ensure_staff_scope(principal, application["scope_district"], "申报")
        return
    elif principal.role is Role.expert and not application["blind"]:
        if await review_side().is_assigned(application["id"], principal.user_id):
            return
    raise not_found("申报")


async def _reporting(application_id: int) -> bool:
    """The project is funded and its agreement in force: reports (and their files) are due."""
    from programmes.agreements.tables import Agreement

    return await Agreement.exists().where(
        (Agreement.award._.application == application_id)
        & (Agreement.status == "effective")
        & (Agreement.award._.status == "active")
    )


async def upload(principal: Principal, application_id: int, filename: str, data: Payload) -> dict[str, Any]:
    """A member uploads a file to an application that is still a draft or returned for revision, or — once funded
    under an effective agreement — as evidence for its progress reports (中期/结项报告附件)."""
    application = await _application_for(application_id)
    if application["organisation"] not in await acting_organisation_ids(principal.user_id):
        raise not_found("申报")
    await _check_accepts_files(application, application["status"])  # fast refusal; re-checked under the lock
    async with spool_upload(data, max_bytes=application["max_file"]) as spooled:
        detected = check_upload(filename, spooled.path, application["attachment_types"] or [])
        check_application_total(await _total_bytes(application_id), spooled.size, application["max_total"])
        await ensure_clean(scanner(), spooled.path)
        key = new_key(application_id)
        stored = await storage().save(key, spooled.path)
    try:
        async with engine().transaction():
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
            await audit.record(
                actor_id=principal.user_id,
                actor_role=principal.role.value,
                action="attachment.upload",
                object_type="application",
                object_id=application_id,
                after={"attachment_id": rows[0]["id"], "sha256": stored.sha256, "size": stored.size},
            )
    except BaseException:
        await storage().delete(key)  # refused or failed: no orphan bytes without a row
        raise
    return await read(int(rows[0]["id"]))


async def _check_accepts_files(application: dict[str, Any], status: str) -> None:
    if status in ("draft", "returned"):
        await accepting_round(application["round"])  # the deadline applies to files as to answers
    elif not await _reporting(application["id"]):
        raise conflict("application_not_editable", "申报已提交，不能再上传附件")


async def _total_bytes(application_id: int) -> int:
    rows = await Attachment.select(Attachment.size_bytes).where(Attachment.application == application_id)
    return sum(int(r["size_bytes"]) for r in rows)


async def read(attachment_id: int) -> dict[str, Any]:
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if row is None:
        raise not_found("附件")
    return {
        "id": row["id"],
        "application_id": row["application"],
        "filename": row["filename"],
        "content_type": row["content_type"],
        "size_bytes": row["size_bytes"],
        "sha256": row["sha256"],
        "uploaded_at": row["created_at"],
    }


async def list_for(principal: Principal, application_id: int) -> list[dict[str, Any]]:
    await ensure_can_read(principal, await _application_for(application_id))
    rows = (
        await Attachment.select(Attachment.id).where(Attachment.application == application_id).order_by(Attachment.id)
    )
    return [await read(r["id"]) for r in rows]


async def download(principal: Principal, attachment_id: int) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if row is None:
        raise not_found("附件")
    await ensure_can_read(principal, await _application_for(row["application"]))
    return await read(attachment_id), await storage().open(row["storage_key"])


async def delete(principal: Principal, attachment_id: int) -> None:
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if row is None:
        raise not_found("附件")
    application = await _application_for(row["application"])
    if application["organisation"] not in await acting_organisation_ids(principal.user_id):
        raise not_found("附件")
    _check_deletable(application["status"])
    await accepting_round(application["round"])
    async with engine().transaction():
        _check_deletable((await lock_application(row["application"]))["status"])  # as in upload
        await Attachment.delete().where(Attachment.id == attachment_id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="attachment.delete",
            object_type="application",
            object_id=row["application"],
            before={"attachment_id": attachment_id, "sha256": row["sha256"]},
        )
    await storage().delete(row["storage_key"])


def _check_deletable(status: str) -> None:
    if status not in ("draft", "returned"):
        raise conflict("application_not_editable", "申报已提交，不能再删除附件")
