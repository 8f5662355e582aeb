"""Camp materials (课件、讲义): officers in scope upload files for a camp or one of its sessions, with the same
content checks, virus-scan hook and storage as application attachments; anyone who may see the camp downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import programmes.camps.access  # noqa: F401 — declares the policies load() applies
from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.attachments.service import scanner, storage
from programmes.camps.schemas import MaterialRead
from programmes.camps.tables import Camp, CampMaterial, CampSession
from programmes.content_types import DECLARABLE, check_upload, filename_for
from programmes.storage import DEFAULT_MAX_FILE_BYTES, Payload, ensure_clean, new_key, spool_upload
from programmes.workflows.camps import CAMP

ALLOWED_TYPES = sorted(DECLARABLE)


def _read(row: dict[str, Any]) -> MaterialRead:
    return MaterialRead(
        id=row["id"],
        camp_id=row["camp"],
        session_id=row["session"],
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        created_at=row["created_at"],
    )


async def upload(
    principal: Principal, camp_id: int, filename: str, data: Payload, session_id: int | None = None
) -> MaterialRead:
    camp = await load(principal, Camp, camp_id, "staff", columns=(Camp.id, Camp.status, Camp.scope_district))
    if session_id is not None:
        found = await CampSession.exists().where((CampSession.id == session_id) & (CampSession.camp == camp_id))
        if not found:
            raise invalid("material_session_unknown", "该场次不属于此训练营", "session_id")
    async with spool_upload(data, max_bytes=DEFAULT_MAX_FILE_BYTES) as spooled:
        detected = check_upload(filename, spooled.path, ALLOWED_TYPES)
        await ensure_clean(scanner(), spooled.path)
        key = new_key(camp_id, prefix="camps")
        stored = await storage().save(key, spooled.path)
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            locked = await Camp.select(Camp.status).where(Camp.id == camp_id).lock_rows("UPDATE").first()
            assert locked is not None
            if not CAMP.has(locked["status"], "editable"):
                raise conflict(
                    "camp_not_editable", f"训练营当前状态为「{CAMP.states[locked['status']]}」，不能上传资料"
                )
            rows = await CampMaterial.insert(
                CampMaterial(
                    camp=camp_id,
                    session=session_id,
                    storage_key=key,
                    filename=filename_for(filename, detected),
                    content_type=detected.mime,
                    size_bytes=stored.size,
                    sha256=stored.sha256,
                    uploaded_by=principal.user_id,
                    scope_district=camp["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(CampMaterial.id)
            await uow.audit("camp.material_upload", "camp", camp_id, after={"material_id": rows[0]["id"]})
    except BaseException:
        await storage().delete(key)  # refused or failed: no orphan bytes without a row
        raise
    row = await CampMaterial.select().where(CampMaterial.id == rows[0]["id"]).first()
    assert row is not None
    return _read(dict(row))


async def list_for(principal: Principal, camp_id: int, paging: PageParams) -> Page[MaterialRead]:
    await load(principal, Camp, camp_id, "reader", columns=(Camp.id, Camp.status, Camp.scope_district))
    query = CampMaterial.select().order_by(CampMaterial.id)
    page = await fetch_page(CampMaterial, query, paging, CampMaterial.camp == camp_id)
    return page.map([_read(r) for r in page.items])


async def download(principal: Principal, material_id: int) -> tuple[MaterialRead, AsyncIterator[bytes]]:
    row = await load(principal, CampMaterial, material_id, "reader")
    return _read(row), await storage().open(row["storage_key"])
