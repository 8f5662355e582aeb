"""The community's xlsx import of its demand list (需求清单批量导入): the template to fill in, and an upload that is
checked (试导入) or imported (正式导入) by the service of POST /matching/demand-import — its rule, all rows or none,
and its per-row report (row number, column, Chinese message) exactly as the API gives them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from app.auth.principal import COMMUNITIES, CurrentPrincipal
from app.errors import DomainError
from app.portal.frame import leave_notice, page_opt, render
from programmes.content_types import content_disposition
from programmes.matching import demand_import, demands
from programmes.matching.controllers_demand import XLSX
from programmes.matching.schemas_demand import ImportReport

UPLOAD_LIMIT = demand_import.MAX_BYTES + 64 * 1024  # the API route's own body limit: the service says "too large"


def _page(
    request: Request[Any, Any, Any],
    *,
    report: ImportReport | None = None,
    error: str | None = None,
    filename: str = "",
    status: int = 200,
) -> Template:
    return render(
        request,
        "community/import.html",
        status=status,
        title="批量导入需求",
        report=report,
        error=error,
        filename=filename,
        max_rows=demand_import.MAX_ROWS,
        max_mb=demand_import.MAX_BYTES // 1024 // 1024,
        columns=list(demand_import.COLUMNS),
        required=demand_import.REQUIRED,
    )


@get("/community/demands/import", opt=page_opt(COMMUNITIES))
async def import_page(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
    await demands.caller_community(principal)
    return _page(request)


@get("/community/demands/import/template", opt=page_opt(COMMUNITIES))
async def import_template() -> Response[bytes]:
    """The service of GET /matching/demand-import/template."""
    return Response(
        demand_import.template(),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition("需求清单模板.xlsx"), "Cache-Control": "no-store"},
    )


@post("/community/demands/import", opt=page_opt(COMMUNITIES), status_code=303, request_max_body_size=UPLOAD_LIMIT)
async def import_upload(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template | Redirect:
    form = await request.form()
    upload = form.get("file")
    # No file chosen reaches the service as an empty file: its own 「无法读取 xlsx 文件」 answers it.
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) else ""
    dry_run = form.get("action") != "commit"
    try:
        report = await demand_import.import_list(principal, content, dry_run=dry_run)
    except DomainError as error:
        return _page(request, error=error.detail, filename=filename, status=error.status)
    if report.errors:
        return _page(request, report=report, filename=filename, status=422)
    if dry_run:
        return _page(request, report=report, filename=filename)
    response = Redirect("/portal/community/demands", status_code=303)
    leave_notice(response, f"已导入 {report.created} 条需求草稿，请逐条确认后提交审核")
    return response


IMPORT_PAGES = [import_page, import_template, import_upload]
