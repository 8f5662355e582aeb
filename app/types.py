"""Field types shared by request schemas, and the bounds that keep input inside what the columns can hold."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# Every primary key is a Piccolo ``Serial`` (PostgreSQL ``integer``). asyncpg refuses a larger value with
# "value out of int32 range" (a 500), so ids are bounded here, once, for bodies, queries and paths alike.
ID_MIN = 1
ID_MAX = 2**31 - 1


def _exact_integer(value: Any) -> Any:
    # Litestar validates bodies leniently (so "100", 100.0 and true would all become 100 or 1). Money and ids
    # must be JSON integers, nothing that merely converts to one.
    if type(value) is not int:
        raise PydanticCustomError("int_type", "应为整数")
    return value


ExactInt = Annotated[int, BeforeValidator(_exact_integer)]

Id = Annotated[int, BeforeValidator(_exact_integer), Field(ge=ID_MIN, le=ID_MAX)]
"""A row id in a request body: a JSON integer that fits the ``integer`` column (out of range → 422)."""

FormId = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]
"""A row id in a Piccolo Admin form (the admin UI may send it as text, so it is not ``ExactInt``)."""

# Query-string ids (``QueryId``) are in app/params.py: they need Litestar, and pure modules import this one.


def at_least_entries(limit: int) -> AfterValidator:
    """Require a JSON object to have ``limit`` keys or more (not ``Field(min_length=...)``: see below)."""

    def check(value: dict[Any, Any]) -> dict[Any, Any]:
        if len(value) < limit:
            raise PydanticCustomError("too_short", "至少 {min_length} 项", {"min_length": limit})
        return value

    return AfterValidator(check)


def at_most_entries(limit: int) -> AfterValidator:
    """Bound a JSON object's number of keys.

    Not ``Field(max_length=...)``: Litestar's OpenAPI generator then declares the object an array.
    """

    def check(value: dict[Any, Any]) -> dict[Any, Any]:
        if len(value) > limit:
            raise PydanticCustomError("too_long", "最多 {max_length} 项", {"max_length": limit})
        return value

    return AfterValidator(check)


def contains_nul(value: Any) -> bool:
    """True if a NUL character is anywhere in ``value`` (strings, dict keys, nested lists and dicts)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class RequestModel(BaseModel):
    """Base of every request body and admin form: unknown fields refused, no NUL character anywhere.

    PostgreSQL refuses U+0000 in ``text``, ``varchar`` and ``jsonb`` (a 500 if it reaches SQL), and no legitimate
    text contains it, so it is refused here for every field, including free-form ``answers``.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise PydanticCustomError("string_nul", "不能包含空字符 (U+0000)")
        return value
