"""ASGI apps the server benchmark serves. Factories, so that importing this module builds nothing."""

from __future__ import annotations

from litestar import Litestar, get


@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def hello_world() -> Litestar:
    """The trivial Litestar app: one async JSON route, framework defaults."""
    return Litestar(route_handlers=[hello])


def seedbed() -> Litestar:
    """Seedbed's real app (middleware, app-wide guard, exception handlers, mounted admin) without the DB lifespan.

    Only ``/health/live`` is benchmarked, and it touches neither PostgreSQL nor Redis, so no pool is opened.
    """
    from app.site.asgi import create_app

    return create_app(manage_pool=False)
