"""Query-string parameter types: Litestar validates query strings itself, so their bounds are Litestar's.

Kept apart from app/types.py (pydantic only), which pure modules import.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from app.types import ID_MAX, ID_MIN

# Litestar validates query parameters itself (msgspec, not pydantic) and rebuilds their annotation from the
# ``Parameter``, so the bounds go there; use these instead of ``FromQuery[int]``, whose Parameter would win.
QueryId = Annotated[int, Parameter(ge=ID_MIN, le=ID_MAX)]
"""A row id in a query string (out of range → 422 naming the parameter)."""
OptionalQueryId = Annotated[int | None, Parameter(ge=ID_MIN, le=ID_MAX)]
