"""The check-in QR code as a PNG (pure: bytes in, bytes out).

segno writes PNG itself (no Pillow), so the image is the same bytes for the same text on every machine; a phone's
camera opens the check-in text and the participant types or pastes the six digits (the code alone, no account data).
"""

from __future__ import annotations

import io

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


def checkin_payload(session_id: int, code: str) -> str:
    """What the QR code says: the session and its current code, for a check-in client to fill in."""
    return f"seedbed-checkin:{session_id}:{code}"
