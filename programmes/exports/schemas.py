"""What the exports API answers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel

ExportKind = Literal["applications", "scores", "ranking", "load"]


class ExportRead(BaseModel):
    id: int
    round_id: int | None  # None for money exports
    kind: str
    parameters: dict[str, Any]
    state: str
    rows_done: int
    rows_total: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
