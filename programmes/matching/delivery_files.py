"""Photos and documents of a delivery record, checked exactly like application attachments: spooled with a size
limit and hashed, the type detected from the content (the extension must agree), virus-scanned, stored under a
server-made key, then the row inserted (audited) under the order's lock, so no file joins an order once the
community has confirmed it delivered. A refused or failed upload leaves no bytes behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.access import load, protect
from app.auth.principal import Principal
from app.errors import DomainError, conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.attachments.service import scanner, storage
from programmes.content_types import check_upload, filename_for
from programmes.matching.schemas_order import DeliveryFileRead
from programmes.matching.tables import DeliveryRecord, MatchOrder
from programmes.matching.tables_delivery import DeliveryFile
from programmes.storage import DEFAULT_MAX_FILE_BYTES, Payload, ensure_clean, new_key, spool_upload
from programmes.workflows.orders import ORDER

FILE_KINDS = ("jpeg", "png", "pdf", "docx", "xlsx")  # photos and documents
MAX_FILES_PER_RECORD = 30

DELIVERY_FILES = protect(DeliveryFile, "服务记录附件")


def _as_read(row: dict[str, Any]) -> DeliveryFileRead:
    return DeliveryFileRead(
        id=row["id"],
        record_id=row["record"],
        order_id=row["order"],
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        uploaded_at=row["created_at"],
    )


def _ensure_records_delivery(status: str) -> None:
    if not ORDER.has(status, "records_delivery"):
        raise conflict("order_not_in_delivery", f"当前订单状态（{ORDER.states[status]}）不能上传服务记录附件")


async def upload(principal: Principal, order_id: int, record_id: int, filename: str, data: Payload) -> DeliveryFileRead:
    order = await load(principal, MatchOrder, order_id, "organisation")
    record = (
        await DeliveryRecord.select(DeliveryRecord.id)
        .where(DeliveryRecord.id == record_id, DeliveryRecord.order == order_id)
        .first()
    )
    if record is None:
        raise not_found("服务记录")
    _ensure_records_delivery(order["status"])  # fast refusal; re-checked under the lock
    async with spool_upload(data, max_bytes=DEFAULT_MAX_FILE_BYTES) as spooled:
        detected = check_upload(filename, spooled.path, FILE_KINDS)
        await ensure_clean(scanner(), spooled.path)
        key = new_key(order_id, prefix="delivery")
        stored = await storage().save(key, spooled.path)
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            locked = await MatchOrder.select(MatchOrder.status).where(MatchOrder.id == order_id).lock_rows("UPDATE")
            _ensure_records_delivery(locked[0]["status"])
            if await DeliveryFile.count().where(DeliveryFile.record == record_id) >= MAX_FILES_PER_RECORD:
                raise conflict("delivery_files_full", f"每条服务记录最多上传 {MAX_FILES_PER_RECORD} 个附件")
            rows = await DeliveryFile.insert(
                DeliveryFile(
                    record=record_id,
                    order=order_id,
                    storage_key=key,
                    filename=filename_for(filename, detected),
                    content_type=detected.mime,
                    size_bytes=stored.size,
                    sha256=stored.sha256,
                    uploaded_by=principal.user_id,
                    scope_district=order["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(*DeliveryFile.all_columns())
            await uow.audit(
                "delivery_file.upload",
                "match_order",
                order_id,
                after={"file_id": rows[0]["id"], "record_id": record_id, "sha256": stored.sha256},
            )
    except BaseException:
        await storage().delete(key)
        raise
    return _as_read(dict(rows[0]))


async def list_for(principal: Principal, order_id: int, paging: PageParams) -> Page[DeliveryFileRead]:
    await load(principal, MatchOrder, order_id, "reader")
    query = DeliveryFile.select().order_by(DeliveryFile.id)
    page = await fetch_page(DeliveryFile, query, paging, DeliveryFile.order == order_id)
    return page.map([_as_read(row) for row in page.items])


async def download(principal: Principal, file_id: int) -> tuple[DeliveryFileRead, AsyncIterator[bytes]]:
    row = await DeliveryFile.select().where(DeliveryFile.id == file_id).first()
    if row is None:
        raise not_found(DELIVERY_FILES.label_zh)
    try:
        await load(principal, MatchOrder, row["order"], "reader")
    except DomainError as exc:  # the order out of reach: so is its file, with the file's own 404
        raise not_found(DELIVERY_FILES.label_zh) from exc
    return _as_read(row), await storage().open(row["storage_key"])
