"""Validation errors are classified by pydantic's error type and context, never by its English message text."""

from __future__ import annotations

from typing import Any

import pytest
from litestar._signature.types import ExtendedMsgSpecValidationError
from litestar.exceptions import ValidationException
from pydantic import Field, ValidationError

from app.reference import District
from app.types import ID_MAX, Id, RequestModel
from app.validation_messages import pydantic_error, validation_errors


class Sample(RequestModel):
    title: str = Field(max_length=5)
    count: int = Field(ge=1, le=9)
    district: District
    owner_id: Id
    tags: list[str] = Field(default_factory=list, max_length=2)


def errors_for(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    # The same path Litestar takes: its pydantic plugin raises this, the ValidationException comes "from" it.
    cause = ExtendedMsgSpecValidationError(errors=caught.value.errors())  # type: ignore[arg-type]
    try:
        raise ValidationException(detail="x", extra=[{"message": "ignored"}]) from cause
    except ValidationException as exc:
        return {e["field"]: e for e in validation_errors(exc)}


def test_limits_and_choices_are_stated_in_the_message() -> None:
    by_field = errors_for(
        {"title": "toolong", "count": 10, "district": "nowhere", "owner_id": 3_000_000_000, "tags": ["a", "b", "c"]}
    )
    assert by_field["title"] == {"field": "title", "code": "string_too_long", "message": "最多 5 个字符"}
    assert by_field["count"] == {"field": "count", "code": "less_than_equal", "message": "不能大于 9"}
    assert by_field["owner_id"]["message"] == f"不能大于 {ID_MAX}"
    assert by_field["tags"] == {"field": "tags", "code": "too_long", "message": "最多 2 项"}
    assert by_field["district"]["code"] == "enum"
    assert all(d.value in by_field["district"]["message"] for d in District)


def test_nul_and_exact_integers_have_their_own_types() -> None:
    by_field = errors_for({"title": "a\x00", "count": 1, "district": "xuhui", "owner_id": "12"})
    assert by_field["title"]["code"] == "string_nul"
    assert by_field["owner_id"] == {"field": "owner_id", "code": "int_type", "message": "应为整数"}


def test_the_english_wording_plays_no_part() -> None:
    # The same error type with any message text (another pydantic release, another locale) reads the same.
    error = {"type": "string_too_long", "loc": ("title",), "msg": "Chaîne trop longue", "ctx": {"max_length": 7}}
    assert pydantic_error(error) == {"field": "title", "code": "string_too_long", "message": "最多 7 个字符"}
    ours = {"type": "value_error", "loc": ("x",), "msg": "Value error, 须为中文说明", "ctx": {}}
    assert pydantic_error(ours)["message"] == "须为中文说明"
    unknown = {"type": "some_new_type", "loc": (), "msg": "English only", "ctx": {}}
    assert pydantic_error(unknown) == {"field": "body", "code": "some_new_type", "message": "取值无效"}


def test_chinese_district_names_are_accepted() -> None:
    assert Sample.model_validate({"title": "a", "count": 1, "district": "浦东新区", "owner_id": 1}).district == "pudong"
    assert District("长宁") is District.changning
