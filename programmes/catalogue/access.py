"""The catalogue's access policies: a round is kept by staff in its district (city staff: every round)."""

from __future__ import annotations

from app.access import protect
from programmes.tables import Round

ROUNDS = protect(Round, "轮次")
