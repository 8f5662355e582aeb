"""The API's front door: ``GET /`` (a small index) and Swagger UI with its assets served by the app itself.

Litestar's renderers load their JS/CSS from a public CDN (Scalar even at ``@latest``), so on an intranet the docs page
is blank. Swagger UI's files come instead from the ``swagger-ui-py`` wheel, pinned in pyproject.toml, and are served
under ``/schema/assets/``; the version the page runs is therefore the one installed, offline as online. Scalar ships
no PyPI package with its files, so it is not offered.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

from app.auth.principal import PUBLIC

OPENAPI_PATH = "/schema"
ASSETS_PATH = f"{OPENAPI_PATH}/assets"
DOCS_UI_PATH = f"{OPENAPI_PATH}/swagger"
OPENAPI_JSON_PATH = f"{OPENAPI_PATH}/openapi.json"
API_TITLE = "Seedbed API"
API_VERSION = importlib.metadata.version("seedbed")


def swagger_ui_directory() -> Path:
    """Where the installed ``swagger-ui-py`` keeps Swagger UI's dist files (found without importing the package,
    whose ``__init__`` wires up web-framework handlers we do not use)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: pip install the project (see pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at ``/schema`` and ``/schema/swagger``, every URL in its page on this server."""
    return SwaggerRenderPlugin(
        path=["/swagger", "/"],
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


def docs_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[swagger_ui_directory()],
        name="docs_assets",
        opt={"permission": PUBLIC},
        include_in_schema=False,
        # The files change only with the pinned package's version: browsers may keep them for a day.
        cache_control=CacheControlHeader(max_age=86400, public=True),
    )


@get("/", opt={"permission": PUBLIC}, tags=["operations"], summary="API index: name, version and where to go next")
async def index() -> dict[str, Any]:
    return {
        "name": API_TITLE,
        "description": "上海社会组织公益项目管理 API",
        "version": API_VERSION,
        "links": {
            "docs": DOCS_UI_PATH,
            "openapi": OPENAPI_JSON_PATH,
            "health_live": "/health/live",
            "health_ready": "/health/ready",
            "admin": "/admin/",
        },
    }
