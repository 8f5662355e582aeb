"""What the notifications API answers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class NotificationRead(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
