"""What the attachments API answers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class AttachmentRead(BaseModel):
    id: int
    application_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime
