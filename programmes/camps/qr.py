"""The check-in QR code as a PNG (pure: bytes in, bytes out).

segno writes PNG itself (no Pillow), so the image is the same bytes for the same text on every machine. The QR
code is a link to the portal's check-in page with the code filled in (``app.portal.camp_checkin``): a phone's camera
opens it, the participant signs in if needed and presses 签到. It carries the session and its code, no account data.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

# Medium error correction survives a projector's glare; scale 8 → about 250 px for a 6-digit payload.
_ERROR = "m"
_SCALE = 8
_BORDER = 4


def checkin_qr_png(text: str) -> bytes:
    """A PNG of ``text`` (the check-in payload)."""
    if not text:
        raise ValueError("empty QR payload")
    buffer = io.BytesIO()
    segno.make(text, error=_ERROR, micro=False).save(buffer, kind="png", scale=_SCALE, border=_BORDER)
    return buffer.getvalue()


def checkin_payload(session_id: int, code: str, base_url: str = "") -> str:
    """What the QR code says: the portal's check-in page of the session with its current code filled in, at
    ``base_url`` (the address the trainer's screen reached the app at) or relative without it."""
    return f"{base_url.rstrip('/')}/portal/camps/sessions/{session_id}/checkin?code={quote(code, safe='')}"
