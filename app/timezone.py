"""Times are stored in UTC and shown in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC)


def shown(moment: datetime) -> datetime:
    """The same instant on Beijing's clock (+08:00); a naive value is taken as UTC, as the database stores it."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI)


def today_shanghai() -> date:
    """The calendar date in Shanghai now (a worker's clock may run in UTC)."""
    return now_utc().astimezone(SHANGHAI).date()


def in_beijing_time(value: Any) -> Any:
    """``value`` with every datetime in it, at any depth, shown in Beijing time: the one conversion of API output.

    Pydantic models become their python-mode dump (so nested models, ``dict[str, Any]`` fields and plain dicts are
    all walked alike); msgspec then writes each aware datetime with its own offset, ``+08:00``. Routes therefore
    return database times as they are (UTC) and never convert them themselves.
    """
    if isinstance(value, datetime):
        return shown(value)
    if isinstance(value, BaseModel):
        return in_beijing_time(value.model_dump(mode="python"))
    if isinstance(value, Mapping):
        return {key: in_beijing_time(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [in_beijing_time(item) for item in value]
    return value
