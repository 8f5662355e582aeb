"""The OpenAPI document describes requests exactly (issue 18): no array bounded by string keywords or missing its
items (a list of a model declared later once rendered so), no object bounded as if it were a string or array (a
dict with ``Field(min_length/max_length)`` renders as an array: use ``app.types.at_most_entries`` and friends)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

STRING_ONLY = {"maxLength", "minLength", "pattern"}
ARRAY_ONLY = {"maxItems", "minItems", "uniqueItems"}


def _misshapen(node: Any, path: str, found: list[str]) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "array" and (STRING_ONLY & node.keys() or "items" not in node):
            found.append(path)
        if kind == "object" and (STRING_ONLY | ARRAY_ONLY) & node.keys():
            found.append(path)
        for key, value in node.items():
            _misshapen(value, f"{path}/{key}", found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _misshapen(value, f"{path}/{index}", found)


def test_no_schema_in_the_openapi_document_is_bounded_by_keywords_of_another_type(app: Litestar) -> None:
    found: list[str] = []
    _misshapen(app.openapi_schema.to_schema(), "", found)
    assert found == []


def test_the_walk_finds_the_shapes_it_looks_for() -> None:
    found: list[str] = []
    _misshapen({"a": {"type": "array", "maxLength": 3, "items": {}}, "b": {"type": "object", "minItems": 1}}, "", found)
    _misshapen({"c": {"type": "array"}, "d": {"type": "array", "items": {"type": "string", "maxLength": 2}}}, "", found)
    assert found == ["/a", "/b", "/c"]
