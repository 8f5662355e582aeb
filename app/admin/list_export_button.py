"""The button 「导出 xlsx（当前筛选）」 on Piccolo Admin's table lists: our own script in the admin's index.html.

Piccolo Admin's Vue bundle cannot be extended, and its index.html is a file inside the package. This wrapper adds
one ``<script>`` tag to that page as it is served (``GET /admin/``) and serves the script itself from the repository
(``GET /admin/list-export.js``, app/admin/static/list-export.js): no CDN, the admin works on an intranet. The script
only builds a link to ``app.admin.list_export``; everything it downloads goes through the list API's own rules.
Other scripts are added by wrappers of their own (docs/adr/0019-admin-list-export.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.responses import Response

from app.admin.rewrite import content_type, rewrite_body

SCRIPT_FILE = Path(__file__).with_name("static") / "list-export.js"
SCRIPT_TAG = b'<script src="./list-export.js"></script>'
# Before the bundle (a deferred module script), so the script sees the list's very first request.
_HEAD = b"<head>"
_INDEX_PATH = re.compile(r"^(?:/admin)?/?$")
_SCRIPT_PATH = re.compile(r"^(?:/admin)?/list-export\.js/?$")
# The page changes size and content on its way out: stale validators would let a cache keep the unchanged page.
_DROPPED = frozenset({b"content-length", b"etag", b"last-modified"})


def with_script(html: bytes) -> bytes:
    """The index page with the script tag right after ``<head>`` (once, even if another wrapper ran before)."""
    if SCRIPT_TAG in html or _HEAD not in html:
        return html
    return html.replace(_HEAD, _HEAD + SCRIPT_TAG, 1)


def list_export_button(admin_app: Any) -> Any:
    """Wrap the admin ASGI app: serve the export button's script and add it to the admin's index.html."""
    script = SCRIPT_FILE.read_bytes()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        if path is None or scope.get("method") not in ("GET", "HEAD"):
            await admin_app(scope, receive, send)
            return
        if _SCRIPT_PATH.match(path):
            response = Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
            await response(scope, receive, send)
            return
        if not _INDEX_PATH.match(path) or scope["method"] != "GET":
            await admin_app(scope, receive, send)
            return

        async def with_button(start: dict[str, Any], data: bytes) -> bytes:
            ok_html = start.get("status") == 200 and content_type(start).startswith(b"text/html")
            return with_script(data) if ok_html else data

        await rewrite_body(admin_app, scope, receive, send, with_button, dropped=_DROPPED)

    return app
