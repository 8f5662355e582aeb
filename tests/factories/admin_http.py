"""Shared helpers of the admin HTTP tests: JSON answers, table rows, form paths, form bodies."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from app.reference import District
from tests import factories
from tests.factories.admin import AdminSession

APPROVE_BATCH = "审批支付批次"
OPEN_ROUND = "开放轮次"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def row_ids(session: AdminSession, table: str, query: str = "") -> set[int]:
    return {row["id"] for row in ok(await session.get(f"tables/{table}/{query}"))["rows"]}


async def count(session: AdminSession, table: str, query: str = "") -> int:
    return int(ok(await session.get(f"tables/{table}/count/{query}"))["count"])


def form_path(name: str) -> str:
    return f"forms/{quote(name)}/"


async def one_programme_per_scope(city: factories.User) -> dict[str | None, dict[str, Any]]:
    """Open contest rounds of a changning, a pudong and a city-level programme, by the city officer."""
    return {
        d: await factories.contest_round(city, district=District(d) if d else None)
        for d in ("changning", "pudong", None)
    }


async def new_form_body(session: AdminSession, table: str, **fields: Any) -> dict[str, Any]:
    """What the admin's "add row" form sends: the defaults from ``new/`` plus what the user typed."""
    return {**ok(await session.get(f"tables/{table}/new/")), **fields}


async def edit_form_body(session: AdminSession, table: str, row_id: int) -> dict[str, Any]:
    """What the admin's edit form sends back: every field of the row as it was read."""
    row = ok(await session.get(f"tables/{table}/{row_id}/"))
    row.pop("id")
    return dict(row)


async def refused(session: AdminSession, path: str, body: dict[str, Any]) -> str:
    response = await session.post(path, body)
    assert response.status_code == 422, response.text
    return str(response.json()["custom_form_error"])
