"""Who may see or change an award: staff whose district covers it (404 ``资助不存在或无权访问`` otherwise)."""

from __future__ import annotations

from app.access import protect
from programmes.tables import Award

AWARDS = protect(Award, "资助")
