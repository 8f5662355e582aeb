"""The check-in and completion rules as plain functions (no database): the window a code is valid in, the
six-digit code and its stored hash, and whether attendance meets a camp's completion rule."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_DIGITS = 6


@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime

    def contains(self, moment: datetime) -> bool:
        # Both edges belong to the window; one second outside either is refused.
        return self.opens <= moment <= self.closes


def checkin_window(starts_at: datetime, ends_at: datetime, margin_minutes: int) -> Window:
    """The session's window widened by the configured margin on both sides."""
    margin = timedelta(minutes=margin_minutes)
    return Window(starts_at - margin, ends_at + margin)


def new_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(session_id: int, code: str) -> str:
    """SHA-256 of the code salted with its session: a leaked table does not list codes, and the same digits in two
    sessions hash differently. Six digits are guessable offline, so the rate limit is what protects them online."""
    return hashlib.sha256(f"{session_id}:{code}".encode()).hexdigest()


def code_matches(session_id: int, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_code(session_id, code), stored_hash)


def completes(attended: int, total: int, min_percent: int) -> bool:
    """Attendance meets the camp's rule (e.g. ≥ 80 % of its sessions); a camp without sessions completes no one."""
    if total <= 0:
        return False
    return attended * 100 >= min_percent * total


def new_verification_code() -> str:
    """A certificate's public verification code: 12 characters from an alphabet without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
