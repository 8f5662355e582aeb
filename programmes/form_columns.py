"""A form's answers as flat spreadsheet columns (exports): one header per field in outline order, repeatable
groups expanded item by item. Pure: no database, web or queue."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from programmes.form_ui import ITEM, FieldSpec, Schema, fill, form_outline


def repeat_counts(schema: Schema, answer_sets: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """For each repeatable group (``team``, ``team.*.skills``): the most items any of ``answer_sets`` has."""
    groups = {spec.path[: i + 1] for spec in form_outline(schema) for i, s in enumerate(spec.path) if s == ITEM}
    counts = {".".join(g[:-1]): 0 for g in groups}
    for answers in answer_sets:
        for group in groups:
            for found in _values_at(answers, group[:-1]):
                if isinstance(found, list):
                    key = ".".join(group[:-1])
                    counts[key] = max(counts[key], len(found))
    return counts


def flatten_answers(
    schema: Schema,
    answers: Mapping[str, Any],
    counts: Mapping[str, int] | None = None,
    *,
    include_identifying: bool = True,
) -> dict[str, Any]:
    """``{header: value}`` in outline order for one xlsx row; repeatable groups expand item by item to ``counts``
    (default: this answer set's own, at least one item). Pass ``repeat_counts`` over all rows for equal columns."""
    counts = counts if counts is not None else repeat_counts(schema, [answers])
    specs = [s for s in form_outline(schema) if include_identifying or not s.identifying]
    row: dict[str, Any] = {}
    for spec, indices in _columns(specs, counts, 0, ()):
        header = spec.header(*indices)
        if header in row:
            header = f"{header}（{spec.key(*indices)}）"
        row[header] = display_value(_get(answers, fill(spec.path, indices)))
    return row


def display_value(value: Any) -> Any:
    """Spreadsheet-friendly cell value: 是/否 for booleans, lists of scalars joined with 、, other JSON as text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, list) and all(v is None or isinstance(v, bool | int | float | str) for v in value):
        return "、".join("" if v is None else str(display_value(v)) for v in value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return str(type(value).__name__)


def _columns(
    specs: list[FieldSpec], counts: Mapping[str, int], depth: int, indices: tuple[int, ...]
) -> list[tuple[FieldSpec, tuple[int, ...]]]:
    columns: list[tuple[FieldSpec, tuple[int, ...]]] = []
    i = 0
    while i < len(specs):
        spec = specs[i]
        positions = [p for p, s in enumerate(spec.path) if s == ITEM]
        if len(positions) <= depth:
            columns.append((spec, indices))
            i += 1
            continue
        cut = positions[depth] + 1
        j = i
        while j < len(specs) and specs[j].path[:cut] == spec.path[:cut]:
            j += 1
        for n in range(max(counts.get(".".join(spec.path[: cut - 1]), 0), 1)):
            columns += _columns(specs[i:j], counts, depth + 1, (*indices, n))
        i = j
    return columns


def _values_at(value: Any, path: Sequence[str]) -> Iterator[Any]:
    if not path:
        yield value
    elif path[0] == ITEM:
        for item in value if isinstance(value, list) else []:
            yield from _values_at(item, path[1:])
    elif isinstance(value, dict) and path[0] in value:
        yield from _values_at(value[path[0]], path[1:])


def _get(value: Any, path: Sequence[str]) -> Any:
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
