"""``GET /admin/overview`` (the page) and ``GET /admin/overview/{section}.xlsx`` (a section's numbers), with the
admin session: city staff see the city, a district officer their district, every other role gets 403.

A wrapper around the admin ASGI app, like the export downloads (app.admin.downloads): Piccolo Admin has no hook for
a server-rendered page of its own, and its SPA would need JavaScript from us. See docs/adr/0007-admin-gateway.md
(「The overview page」).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.responses import HTMLResponse, JSONResponse, Response

from app.admin.overview.render import page
from app.admin.overview.sections import Section, overview
from app.admin.scope import principal_from_session
from app.auth.principal import Principal
from programmes.xlsx_export import Sheet, write_sheets_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Litestar's mount hands the admin the path with a trailing slash added.
_PATH = re.compile(r"^(?:/admin)?/overview(?:/(?P<section>[a-z_]{1,40})\.xlsx)?/?$")
OVERVIEW_PATH = "/admin/overview"


def _problem(status: int, code: str, detail: str) -> Response:
    return JSONResponse({"code": code, "detail": detail}, status_code=status)


def _workbook(section: Section) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "overview.xlsx"
        write_sheets_file(
            path,
            [
                Sheet(
                    section.title,
                    section.headers,
                    section.rows,
                    number_formats=dict.fromkeys(section.money_columns, "#,##0.00"),
                )
            ],
        )
        return path.read_bytes()


async def overview_response(principal: Principal | None, section_key: str | None) -> Response:
    if principal is None:
        if section_key is None:  # a browser: to the admin's login, which comes back to the admin's home
            return Response(status_code=303, headers={"location": "/admin/"})
        return _problem(401, "not_authenticated", "请先登录后台")
    if not principal.is_staff:
        return _problem(403, "forbidden", "只有项目官员和管理员可以查看首页概览")
    sections = await overview(principal)
    if section_key is None:
        return HTMLResponse(page(principal, sections), headers={"cache-control": "no-store"})
    found = next((s for s in sections if s.key == section_key), None)
    if found is None:
        return _problem(404, "not_found", "概览中没有这一部分")
    contents = await to_thread.run_sync(_workbook, found)
    return Response(
        contents,
        media_type=XLSX,
        headers={
            "content-disposition": f'attachment; filename="seedbed-overview-{found.key}.xlsx"',
            "cache-control": "no-store",
        },
    )


def overview_pages(admin_app: Any) -> Any:
    """Wrap the admin ASGI app with the overview page and its xlsx downloads."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match and scope.get("method") in ("GET", "HEAD"):
            response = await overview_response(await principal_from_session(scope), match["section"])
            await response(scope, receive, send)
            return
        await admin_app(scope, receive, send)

    return app
