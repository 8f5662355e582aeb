"""The officer's field mapping from a contest form to a support-plan form: checked against both JSON Schemas, then
applied to the contest application's submitted answers. Pure: no database."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from app.errors import FieldError
from programmes.form_ui import Schema, field_label, field_schema, identifying_paths

_MISSING = object()


def _types(declaration: Schema) -> frozenset[str]:
    found = declaration.get("type")
    if isinstance(found, str):
        return frozenset([found])
    if isinstance(found, list):
        return frozenset(str(t) for t in found)
    return frozenset()


def _fits(source: frozenset[str], target: frozenset[str]) -> bool:
    """Every value the source field can hold is one the target field accepts (an integer is a number)."""
    widened = target | ({"integer"} if "number" in target else set())
    return bool(source) and source <= widened


def _identifying(form: Schema, path: str) -> bool:
    """The field, or a group holding it, is marked ``identifying`` (hidden from blind reviewers)."""
    return any(path == marked or path.startswith(marked + ".") for marked in identifying_paths(form))


def mapping_errors(source_form: Schema, target_form: Schema, mapping: Sequence[Mapping[str, str]]) -> list[FieldError]:
    """Each refused pair names its place in the request (``mapping.<n>.contest_field`` / ``.support_field``)."""
    errors: list[FieldError] = []
    targets: set[str] = set()
    for n, pair in enumerate(mapping):
        source, target = pair["contest_field"], pair["support_field"]
        source_decl = field_schema(source_form, source.split("."))
        target_decl = field_schema(target_form, target.split("."))
        if not source_decl:
            errors.append(
                FieldError(f"mapping.{n}.contest_field", "mapping_unknown_source", f"大赛申报表没有字段「{source}」")
            )
        if not target_decl:
            errors.append(
                FieldError(
                    f"mapping.{n}.support_field", "mapping_unknown_target", f"沪社星耀申报表没有字段「{target}」"
                )
            )
        elif target in targets:
            errors.append(
                FieldError(f"mapping.{n}.support_field", "mapping_duplicate_target", f"字段「{target}」已被映射")
            )
        targets.add(target)
        if source_decl and target_decl and not _fits(_types(source_decl), _types(target_decl)):
            source_zh = field_label(source_form, source.split("."))
            target_zh = field_label(target_form, target.split("."))
            message = f"「{source_zh}」与「{target_zh}」的类型不一致，不能映射"
            errors.append(FieldError(f"mapping.{n}.support_field", "mapping_type_mismatch", message))
        elif (
            source_decl and target_decl and _identifying(source_form, source) and not _identifying(target_form, target)
        ):
            # Copying a hidden answer (负责人, 联系方式) into a visible field would show it to blind reviewers.
            message = f"「{field_label(source_form, source.split('.'))}」为身份信息，只能映射到同样对匿名评审隐藏的字段"
            errors.append(FieldError(f"mapping.{n}.support_field", "mapping_identifying_exposed", message))
    return errors


def _get(answers: Any, path: list[str]) -> Any:
    node = answers
    for segment in path:
        if not isinstance(node, dict) or segment not in node:
            return _MISSING
        node = node[segment]
    return node


def _put(answers: dict[str, Any], path: list[str], value: Any) -> None:
    node = answers
    for segment in path[:-1]:
        child = node.get(segment)
        if not isinstance(child, dict):
            child = node[segment] = {}
        node = child
    node[path[-1]] = copy.deepcopy(value)


def prefill(answers: Mapping[str, Any], mapping: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The support-plan draft's answers: each mapped contest answer at its target path (unanswered ones are left
    out, so the organisation sees the field empty rather than a made-up value)."""
    result: dict[str, Any] = {}
    for pair in mapping:
        value = _get(answers, pair["contest_field"].split("."))
        if value is not _MISSING:
            _put(result, pair["support_field"].split("."), value)
    return result
