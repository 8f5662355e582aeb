"""Times are stored in UTC and shown in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def shown(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def today_shanghai() -> date:
    """The calendar date in Shanghai now (a worker's clock may run in UTC)."""
    return now_utc().astimezone(SHANGHAI).date()
