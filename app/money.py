"""Money for people. Amounts are integer fen (分) everywhere; 元 exists only on screen and in messages."""

from __future__ import annotations


def yuan(fen: int) -> str:
    """``123456`` → ``"1,234.56 元"``; negative amounts keep their sign. Exact: no float ever touches the amount."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"
