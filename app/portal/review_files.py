"""The application's attachments on the expert's page (评审附件): listed and downloaded through the service of
GET /applications/{id}/attachments and GET /attachments/{id}, whose rule lets an assigned expert see the files of a
round that is not blind. A blind round's files may carry the applicant's name in their names and contents, so the
API gives experts none — and the page neither lists nor serves any (the uniform 404, no file name in it)."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath
from litestar.response import Stream

from app.auth.principal import EXPERTS, CurrentPrincipal
from app.errors import not_found
from app.paging import MAX_LIMIT, PageParams
from app.portal.frame import page_opt
from programmes.attachments import service as attachments
from programmes.attachments.schemas import AttachmentRead
from programmes.content_types import content_disposition
from scoring.reviews import service
from scoring.reviews.schemas import ExpertAssignmentView


async def files_for(view: ExpertAssignmentView, principal: CurrentPrincipal) -> list[AttachmentRead] | None:
    """The files an expert may open, or None in a blind round (the API's rule: no files for experts there)."""
    if view.blind:
        return None
    # An application's files are few (the round caps their total size): its first page of the maximum size.
    page = await attachments.list_for(principal, view.application_id, PageParams(MAX_LIMIT, 0))
    return list(page.items)


def size_shown(size_bytes: int) -> str:
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size_bytes / 1024))} KB"


@get("/reviews/{assignment_id:int}/files/{attachment_id:int}", opt=page_opt(EXPERTS))
async def review_file(
    principal: CurrentPrincipal, assignment_id: FromPath[int], attachment_id: FromPath[int]
) -> Stream:
    view = await service.expert_view(principal, assignment_id)  # another expert's assignment → the uniform 404
    if view.blind:
        raise not_found(attachments.ATTACHMENTS.label_zh)
    meta = await attachments.read(attachment_id)
    if meta.application_id != view.application_id:  # a file of another application is not this page's
        raise not_found(attachments.ATTACHMENTS.label_zh)
    meta, chunks = await attachments.download(principal, attachment_id)  # the API's access rule, again
    return Stream(
        chunks,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(meta.filename),
            "Content-Length": str(meta.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


REVIEW_FILE_PAGES = [review_file]
