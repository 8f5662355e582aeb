from __future__ import annotations

import datetime as dt

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Stream
from pydantic import BaseModel

from app.auth.principal import ANY_USER, APPLICANTS, CurrentPrincipal, provide_principal
from app.input_limits import FileUploadBody
from programmes.attachments import service
from programmes.content_types import content_disposition

# Larger than any round's per-file limit (max 200 MB); the per-round limit is enforced while spooling.
UPLOAD_BODY_LIMIT = 210 * 1024 * 1024


class AttachmentRead(BaseModel):
    id: int
    application_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime


class AttachmentController(Controller):
    tags = ["attachments"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/applications/{application_id:int}/attachments",
        opt={"permission": APPLICANTS},
        summary="Upload an attachment (multipart field `file`); type checked by content (上传附件)",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload(
        self,
        principal: CurrentPrincipal,
        application_id: FromPath[int],
        data: FileUploadBody,
    ) -> AttachmentRead:
        upload = data.file
        return AttachmentRead(**await service.upload(principal, application_id, upload.filename or "", upload))

    @get("/applications/{application_id:int}/attachments", opt={"permission": ANY_USER}, summary="List attachments")
    async def list_for(self, principal: CurrentPrincipal, application_id: FromPath[int]) -> list[AttachmentRead]:
        return [AttachmentRead(**row) for row in await service.list_for(principal, application_id)]

    @get("/attachments/{attachment_id:int}", opt={"permission": ANY_USER}, summary="Download an attachment")
    async def download(self, principal: CurrentPrincipal, attachment_id: FromPath[int]) -> Stream:
        meta, chunks = await service.download(principal, attachment_id)
        return Stream(
            chunks,
            media_type=meta["content_type"],
            headers={
                "Content-Disposition": content_disposition(meta["filename"]),
                "Content-Length": str(meta["size_bytes"]),
                "X-Content-Type-Options": "nosniff",
            },
        )

    @delete("/attachments/{attachment_id:int}", opt={"permission": APPLICANTS}, summary="Delete an attachment")
    async def remove(self, principal: CurrentPrincipal, attachment_id: FromPath[int]) -> None:
        await service.delete(principal, attachment_id)
