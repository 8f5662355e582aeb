"""Append-only audit log: one row per state change, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSONB, BigInt, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.context import current_request_id


class AuditEntry(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    # Not a foreign key on purpose: the log must outlive the rows and users it describes.
    actor_id = Integer(null=True, default=None)
    actor_role = Varchar(length=16, default="")
    action = Varchar(length=64, null=False)
    object_type = Varchar(length=64, null=False)
    object_id = BigInt(null=False)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    reason = Varchar(length=1000, default="")  # record() shortens longer outside text to fit
    request_id = Varchar(length=64, default="")
    created_at = Timestamptz()


async def record(
    *,
    actor_id: int | None,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Write one audit row. Call it inside the transaction that makes the change."""
    limit = 1000  # AuditEntry.reason's length (Piccolo types it as optional)
    if len(reason) > limit:
        # People's reasons are bounded by the request schemas (tests/unit/test_schema_limits.py); text from outside,
        # such as a bank's rejection message, may be longer and must not fail the change it explains.
        reason = reason[: limit - 1] + "…"
    await AuditEntry.insert(
        AuditEntry(
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            reason=reason,
            request_id=current_request_id(),
        )
    )
