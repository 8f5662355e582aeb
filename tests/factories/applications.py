"""Applications over HTTP (draft, submitted, officers' bulk actions) and attachment files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from app.settings import get_settings
from tests.factories import GOOD_ANSWERS, User
from tests.factories.http import ok

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


async def draft(client: httpx.AsyncClient, member: User, org_id: int, round_id: int, **extra: Any) -> dict[str, Any]:
    body = {"round_id": round_id, "organisation_id": org_id, "title": "社区睦邻计划", "answers": GOOD_ANSWERS, **extra}
    return ok(await client.post("/applications", json=body, headers=member.headers), 201)


async def submitted(
    client: httpx.AsyncClient, member: User, org_id: int, round_id: int, **extra: Any
) -> dict[str, Any]:
    created = await draft(client, member, org_id, round_id, **extra)
    return ok(await client.post(f"/applications/{created['id']}/submit", headers=member.headers))


async def act(
    client: httpx.AsyncClient, officer: User, action: str, ids: list[int], reason: str = ""
) -> list[dict[str, Any]]:
    return ok(
        await client.post(
            "/applications/actions",
            json={"action": action, "application_ids": ids, "reason": reason},
            headers=officer.headers,
        )
    )


def stored_files() -> list[Path]:
    return [p for p in get_settings().storage_dir.rglob("*") if p.is_file()]
