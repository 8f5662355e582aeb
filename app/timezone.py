"""Times are stored in UTC and shown in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def shown(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)
