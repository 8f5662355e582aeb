"""An entry's files carried onto the entry made from it in another round (a fast-tracked draft, the next stage's
entry, a graduation entry), where that round allows them: a kind the round declares, within its per-file and
per-application sizes (the upload rules, minus the scan the files already passed). Each carried file is a copy under
a key of its own, so deleting it from the new entry never touches the original's file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from programmes.attachments.service import storage
from programmes.attachments.tables import Attachment
from programmes.content_types import TYPES, normalise_declared
from programmes.storage import new_key


async def copy_allowed(
    origin_id: int, target_round: Mapping[str, Any], purpose: str = "carried"
) -> list[dict[str, Any]]:
    """Copy the files the round accepts, oldest first until the total is reached; the rows to insert (the caller
    deletes the copies' keys if its transaction fails)."""
    declared = target_round["attachment_types"] or []
    # The round row may come unparsed (a JSONB column read without load_json).
    allowed = normalise_declared(json.loads(declared) if isinstance(declared, str) else declared)
    kind_of = {t.mime: t.kind for t in TYPES.values()}
    files = await Attachment.select().where(Attachment.application == origin_id).order_by(Attachment.id)
    carried: list[dict[str, Any]] = []
    total = 0
    for row in files:
        size = int(row["size_bytes"])
        if kind_of.get(row["content_type"]) not in allowed or size > int(target_round["max_attachment_bytes"]):
            continue
        if total + size > int(target_round["max_application_attachment_bytes"]):
            continue
        key = new_key(f"{purpose}-{origin_id}")
        stored = await storage().save(key, await storage().open(row["storage_key"]))
        total += size
        carried.append(
            {
                "storage_key": key,
                "filename": row["filename"],
                "content_type": row["content_type"],
                "size_bytes": stored.size,
                "sha256": stored.sha256,
                "uploaded_by": row["uploaded_by"],
            }
        )
    return carried


async def discard(carried: list[dict[str, Any]]) -> None:
    for item in carried:
        await storage().delete(item["storage_key"])
