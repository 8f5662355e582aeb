"""A reason from outside (a bank's rejection text) longer than the audit column never fails the change it explains."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry, record

pytestmark = pytest.mark.usefixtures("db")


async def test_an_overlong_reason_is_shortened_not_refused() -> None:
    await record(
        actor_id=None,
        actor_role="system",
        action="tranche.mark_failed",
        object_type="tranche",
        object_id=1,
        reason="银行退回：" + "账户状态异常" * 400,
    )
    [row] = await AuditEntry.select(AuditEntry.reason)
    assert len(row["reason"]) == AuditEntry.reason.length
    assert row["reason"].startswith("银行退回：账户状态异常") and row["reason"].endswith("…")


async def test_a_reason_within_the_column_is_kept_whole() -> None:
    reason = "原" * AuditEntry.reason.length
    await record(actor_id=None, actor_role="system", action="x.y", object_type="x", object_id=1, reason=reason)
    assert await AuditEntry.select(AuditEntry.reason).first() == {"reason": reason}
