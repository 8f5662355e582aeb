"""One risk condition that holds today, as the scan's finders report it (raised, refreshed or left dismissed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    subject_key: str
    award_id: int | None
    organisation_id: int
    detail: str
    scope_district: str | None
