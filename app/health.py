from __future__ import annotations

from typing import Any

from litestar import Response, get

from app.auth.principal import PUBLIC
from app.db import engine
from app.queue import get_queue


@get("/health/live", opt={"permission": PUBLIC}, tags=["operations"], summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", opt={"permission": PUBLIC}, tags=["operations"], summary="PostgreSQL and Redis answer")
async def ready() -> Response[dict[str, Any]]:
    checks: dict[str, str] = {}
    try:
        await engine().run_ddl("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as exc:  # report, don't crash: this endpoint exists to say what is down
        checks["postgres"] = f"error: {type(exc).__name__}"
    try:
        queue = await get_queue()
        if queue is None:
            raise ConnectionError("unreachable")
        await queue.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return Response(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status_code=200 if healthy else 503
    )
