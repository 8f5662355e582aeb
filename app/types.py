"""Field types shared by request schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def _exact_integer(value: Any) -> Any:
    # Litestar validates bodies leniently (so "100", 100.0 and true would all become 100 or 1). Money and ids
    # must be JSON integers, nothing that merely converts to one.
    if type(value) is not int:
        raise ValueError("应为整数")
    return value


ExactInt = Annotated[int, BeforeValidator(_exact_integer)]
