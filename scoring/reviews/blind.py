"""Blind review (匿名评审): what an expert may see of a submission.

The identifying fields are those marked ``identifying`` in *any* form version the application could have been
answered against — the version it was submitted against, every version it was (re)submitted against before, the
round's current form and every form the round ever had. A later version that drops ``identifying`` from a field
(负责人) therefore never un-hides it: marking a field identifying once hides it for good (issue 11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.audit import AuditEntry
from programmes.form_ui import ITEM, Schema, identifying_paths, strip_identifying
from programmes.tables import Application, FormVersion


def remove_paths(value: Any, paths: Iterable[Sequence[str]]) -> Any:
    """A copy of ``value`` without the answers at ``paths`` (``*`` stands for every item of a list)."""
    result = value
    for path in paths:
        result = _remove(result, list(path))
    return result


def _remove(value: Any, path: list[str]) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == ITEM:
        return [_remove(item, rest) for item in value] if isinstance(value, list) else value
    if not isinstance(value, dict) or head not in value:
        return value
    if not rest:
        return {k: v for k, v in value.items() if k != head}
    return {**value, head: _remove(value[head], rest)}


def strip_for_blind(submitted: Schema, others: Iterable[Schema], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as a blind expert sees them: what the submitted version declares and does not mark identifying, minus
    every field any other version marks identifying."""
    stripped: dict[str, Any] = strip_identifying(submitted, answers)
    for schema in others:
        stripped = remove_paths(stripped, (p.split(".") for p in identifying_paths(schema)))
    return stripped


async def form_versions_of(application_id: int) -> tuple[int | None, set[int]]:
    """The version the application was submitted against, and every version it or its round ever had."""
    row = (
        await Application.select(Application.form_version, Application.round, Application.round._.form.as_alias("form"))
        .where(Application.id == application_id)
        .first()
    )
    if row is None:
        return None, set()
    # The audit log is append-only: the versions of earlier (re)submissions and the round's earlier forms are there.
    history = await AuditEntry.raw(
        "SELECT DISTINCT (v::text)::integer AS id FROM ("
        " SELECT after->'form_version' AS v FROM audit_entry WHERE object_type = 'application' AND object_id = {}"
        " UNION SELECT after->'form_id' FROM audit_entry WHERE object_type = 'round' AND object_id = {}"
        " UNION SELECT before->'form_id' FROM audit_entry WHERE object_type = 'round' AND object_id = {}"
        ") versions WHERE jsonb_typeof(v) = 'number'",
        application_id,
        row["round"],
        row["round"],
    )
    seen = {int(h["id"]) for h in history} | {v for v in (row["form_version"], row["form"]) if v is not None}
    return row["form_version"] or row["form"], seen


async def blind_answers(application_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted answers with the identifying fields of every version removed (see the module docstring)."""
    submitted, versions = await form_versions_of(application_id)
    rows = (
        await FormVersion.select(FormVersion.id, FormVersion.json_schema)
        .where(FormVersion.id.is_in(sorted(versions) or [0]))
        .output(load_json=True)
    )
    schemas = {r["id"]: r["json_schema"] or {"type": "object"} for r in rows}
    base = schemas.get(submitted) if submitted is not None else None
    return strip_for_blind(base or {"type": "object"}, schemas.values(), answers)
