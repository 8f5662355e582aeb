"""The web pages for applicants, experts and communities (门户, issue 17; docs/adr/0020-web-pages.md).

Server-rendered with Litestar's Jinja2 templates. A composition room, like ``app.admin`` and ``app.site``: its pages
call the programmes and scoring services with the signed-in user's ``Principal``, exactly as the API routes do.
"""

from __future__ import annotations

from app.portal.errors import pages_for_unmatched_portal_paths
from app.portal.routes import PORTAL_STATIC, PORTAL_TEMPLATES, portal_router

__all__ = ["PORTAL_STATIC", "PORTAL_TEMPLATES", "pages_for_unmatched_portal_paths", "portal_router"]
