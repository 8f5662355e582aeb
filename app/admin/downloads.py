"""Finished exports downloaded with the admin session, scoped exactly like ``GET /exports/{id}/file``.

The API's download route wants a bearer token, which an admin session does not have. Two ways in from the admin,
both calling the API's ``exports.service.download`` (so a district officer gets only their district's exports):

- ``GET /admin/exports/{id}/file``: a link the logged-in browser opens (streamed; the export forms name it);
- the form 「下载导出文件」: type the export number, the browser saves the file.
"""

from __future__ import annotations

import io
import re
from typing import Any

from piccolo_admin.endpoints import FileResponse, FormConfig
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.admin.picks import picked
from app.admin.scope import admin_principal, principal_from_session
from app.errors import DomainError
from app.types import ID_MAX, FormId, RequestModel
from programmes.content_types import content_disposition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Litestar's mount hands the admin the path with a trailing slash added.
_FILE_PATH = re.compile(r"/exports/(?P<export_id>[0-9]{1,10})/file/?$")


def download_url(export_id: int) -> str:
    """Where the admin session downloads a finished export (named in the export forms' messages)."""
    return f"/admin/exports/{export_id}/file"


def _problem(status: int, code: str, detail: str) -> Response:
    return JSONResponse({"code": code, "detail": detail}, status_code=status)


async def _download(scope: dict[str, Any], export_id: int) -> Response:
    from programmes.exports.service import download

    principal = await principal_from_session(scope)
    if principal is None:
        return _problem(401, "not_authenticated", "请先登录后台")
    if not principal.is_staff:
        return _problem(403, "forbidden", "只有项目官员和管理员可以下载导出文件")
    if export_id > ID_MAX:  # export_job.id is an integer column: a larger id is simply not there
        return _problem(404, "not_found", "导出任务不存在或无权访问")
    try:
        filename, chunks = await download(principal, export_id)
    except DomainError as exc:
        return _problem(exc.status, exc.code, exc.detail)
    return StreamingResponse(chunks, media_type=XLSX, headers={"Content-Disposition": content_disposition(filename)})


def export_downloads(admin_app: Any) -> Any:
    """Wrap the admin ASGI app with ``GET /admin/exports/{id}/file`` (admin session cookie, API scope rules)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _FILE_PATH.search(scope["path"]) if scope["type"] == "http" else None
        if match and "/api/" not in scope["path"] and scope.get("method") in ("GET", "HEAD"):
            response = await _download(scope, int(match["export_id"]))
            await response(scope, receive, send)
            return
        await admin_app(scope, receive, send)

    return app


class ExportDownload(RequestModel):
    export_id: FormId = picked("finished_export", title="导出任务", description="「导出任务」列表中状态为 done 的编号")


async def _download_form(request: Request, data: ExportDownload) -> FileResponse:
    from programmes.exports.service import download

    principal = await admin_principal(request)
    try:
        filename, chunks = await download(principal, data.export_id)
    except DomainError as exc:  # Piccolo Admin shows a ValueError's text in the form
        raise ValueError(exc.detail) from exc
    contents = io.BytesIO()
    async for chunk in chunks:
        contents.write(chunk)
    # Piccolo Admin puts the name into a plain ``filename="…"`` header, which must be ASCII (latin-1).
    return FileResponse(contents=contents, file_name=f"seedbed-export-{data.export_id}.xlsx", media_type=XLSX)


DOWNLOAD_FORMS = [
    FormConfig(
        "下载导出文件",
        ExportDownload,
        _download_form,
        description="下载已完成的导出（xlsx）；区级官员只能下载本区的导出。也可在浏览器中打开 /admin/exports/编号/file",
        form_group="申报与评审",
    )
]
