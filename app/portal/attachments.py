"""附件 pages of an application (申报单位): the round's accepted file types and size limits shown before any upload,
upload, list, download and delete — each through the service the API's attachment routes call, so the type check by
content, the size limits, the deadline and "only while editable" are the API's rules and its Chinese messages."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from pydantic import BaseModel

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.errors import DomainError
from app.paging import PageParams, Paging
from app.portal.fields import FieldErrors, domain_errors, next_offset
from app.portal.frame import leave_notice, page_opt, render
from programmes.applications import service as applications
from programmes.attachments import service
from programmes.attachments.controllers import UPLOAD_BODY_LIMIT
from programmes.content_types import TYPES, content_disposition, normalise_declared
from programmes.storage import format_size
from programmes.tables import Round
from programmes.workflows import APPLICATION

FILE_FIELD = "file"  # the API's multipart part name


class AcceptedType(BaseModel):
    label: str
    extensions: list[str]


class AttachmentRules(BaseModel):
    """What the round accepts, as the page shows it before upload (the server's check is the service's)."""

    types: list[AcceptedType]
    max_file_bytes: int
    max_total_bytes: int

    @property
    def accept(self) -> str:
        return ",".join(f".{ext}" for t in self.types for ext in t.extensions)

    @property
    def max_file(self) -> str:
        return format_size(self.max_file_bytes)

    @property
    def max_total(self) -> str:
        return format_size(self.max_total_bytes)


async def _rules(round_id: int) -> AttachmentRules:
    row = (
        await Round.select(Round.attachment_types, Round.max_attachment_bytes, Round.max_application_attachment_bytes)
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    assert row is not None  # the application the caller may read names it
    declared = row["attachment_types"] or []
    kinds = sorted(normalise_declared(json.loads(declared) if isinstance(declared, str) else declared))
    return AttachmentRules(
        types=[AcceptedType(label=TYPES[k].label_zh, extensions=list(TYPES[k].extensions)) for k in kinds],
        max_file_bytes=int(row["max_attachment_bytes"]),
        max_total_bytes=int(row["max_application_attachment_bytes"]),
    )


async def _page(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    application_id: int,
    paging: PageParams,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    application = await applications.read_for(principal, application_id)  # the API's read: others' → the 404
    files = await service.list_for(principal, application_id, paging)  # GET /applications/{id}/attachments
    return render(
        request,
        "after/attachments.html",
        status=status,
        title=f"附件：{application.title or '（未命名申报）'}",
        application=application,
        files=files.items,
        total=files.total,
        rules=await _rules(application.round_id),
        # Display only: whether to offer the upload form and delete buttons; the service decides.
        editable=APPLICATION.has(application.status, "applicant_edits"),
        errors=errors or {},
        format_size=format_size,
        next_offset=next_offset(paging, files.has_more),
        limit=paging.limit,
    )


@get("/applications/{application_id:int}/attachments", opt=page_opt(APPLICANTS))
async def attachments_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int], paging: Paging
) -> Template:
    return await _page(request, principal, application_id, paging)


@post(
    "/applications/{application_id:int}/attachments",
    opt=page_opt(APPLICANTS),
    status_code=303,
    request_max_body_size=UPLOAD_BODY_LIMIT,  # as the API's route: the round's own limit is the service's
)
async def attachment_upload(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Response[Any]:
    form = await request.form()
    upload = form.get(FILE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        await applications.read_for(principal, application_id)  # another organisation's: the 404, not this error
        return await _page(request, principal, application_id, PageParams(), {FILE_FIELD: "请选择要上传的文件"}, 422)
    try:
        saved = await service.upload(principal, application_id, upload.filename, upload)  # POST …/attachments
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, (FILE_FIELD,))
        return await _page(request, principal, application_id, PageParams(), errors, error.status)
    finally:
        await upload.close()
    response = Redirect(f"/portal/applications/{application_id}/attachments", status_code=303)
    leave_notice(response, f"已上传附件：{saved.filename}")
    return response


@get("/applications/{application_id:int}/attachments/{attachment_id:int}", opt=page_opt(APPLICANTS))
async def attachment_download(
    principal: CurrentPrincipal, application_id: FromPath[int], attachment_id: FromPath[int]
) -> Stream:
    meta, chunks = await service.download(principal, attachment_id)  # the service of GET /attachments/{id}
    if meta.application_id != application_id:
        raise NotFoundException()  # a file under another application's address: the uniform 404
    return Stream(
        chunks,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(meta.filename),
            "Content-Length": str(meta.size_bytes),
            "X-Content-Type-Options": "nosniff",
        },
    )


@post(
    "/applications/{application_id:int}/attachments/{attachment_id:int}/delete",
    opt=page_opt(APPLICANTS),
    status_code=303,
)
async def attachment_delete(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    application_id: FromPath[int],
    attachment_id: FromPath[int],
) -> Response[Any]:
    # Which application the file belongs to, before the service's access check: a mismatch is the same 404 as a
    # file the caller may not see, and nothing of it is shown.
    if (await service.read(attachment_id)).application_id != application_id:
        raise NotFoundException()
    try:
        await service.delete(principal, attachment_id)  # the service of DELETE /attachments/{id}
    except DomainError as error:
        if error.status == 404:
            raise
        return await _page(request, principal, application_id, PageParams(), {"": error.detail}, error.status)
    response = Redirect(f"/portal/applications/{application_id}/attachments", status_code=303)
    leave_notice(response, "附件已删除")
    return response


ATTACHMENT_PAGES = [attachments_page, attachment_upload, attachment_download, attachment_delete]
