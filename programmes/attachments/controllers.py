from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Stream

from app.auth.principal import ANY_USER, APPLICANTS, CurrentPrincipal, provide_principal
from app.input_limits import FileUploadBody
from app.paging import Paging, page_response
from programmes.attachments import service
from programmes.attachments.schemas import AttachmentRead
from programmes.content_types import content_disposition

# Larger than any round's per-file limit (max 200 MB); the per-round limit is enforced while spooling.
UPLOAD_BODY_LIMIT = 210 * 1024 * 1024


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
        return await service.upload(principal, application_id, upload.filename or "", upload)

    @get("/applications/{application_id:int}/attachments", opt={"permission": ANY_USER}, summary="List attachments")
    async def list_for(
        self,
        principal: CurrentPrincipal,
        application_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[AttachmentRead]]:
        return page_response(await service.list_for(principal, application_id, paging), request)

    @get("/attachments/{attachment_id:int}", opt={"permission": ANY_USER}, summary="Download an attachment")
    async def download(self, principal: CurrentPrincipal, attachment_id: FromPath[int]) -> Stream:
        meta, chunks = await service.download(principal, attachment_id)
        return Stream(
            chunks,
            media_type=meta.content_type,
            headers={
                "Content-Disposition": content_disposition(meta.filename),
                "Content-Length": str(meta.size_bytes),
                "X-Content-Type-Options": "nosniff",
            },
        )

    @delete("/attachments/{attachment_id:int}", opt={"permission": APPLICANTS}, summary="Delete an attachment")
    async def remove(self, principal: CurrentPrincipal, attachment_id: FromPath[int]) -> None:
        await service.delete(principal, attachment_id)
