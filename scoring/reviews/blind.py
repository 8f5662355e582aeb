"""Blind review (匿名评审): what an expert may see of a submission.

The identifying fields are those marked ``identifying`` in *any* form version the application could have been
answered against — the version it was submitted against, every version it was (re)submitted against before, the
round's current form and every form the round ever had. A later version that drops ``identifying`` from a field
(负责人) therefore never un-hides it: marking a field identifying once hides it for good (issue 11).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
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


async def form_versions_of(application_ids: Collection[int]) -> dict[int, tuple[int | None, set[int]]]:
    """Per application: the version it was submitted against, and every version it or its round ever had. Three
    queries whatever the number of applications."""
    rows = (
        await Application.select(
            Application.id, Application.form_version, Application.round, Application.round._.form.as_alias("form")
        )
        .where(Application.id.is_in(sorted(application_ids) or [0]))
        .output(load_json=True)
    )
    rounds = sorted({r["round"] for r in rows})
    # The audit log is append-only: the versions of earlier (re)submissions and the round's earlier forms are there.
    history = await AuditEntry.raw(
        "SELECT DISTINCT object_type, object_id, (v::text)::integer AS id FROM ("
        " SELECT object_type, object_id, after->'form_version' AS v FROM audit_entry"
        "  WHERE object_type = 'application' AND object_id = ANY({}::bigint[])"
        " UNION SELECT object_type, object_id, after->'form_id' FROM audit_entry"
        "  WHERE object_type = 'round' AND object_id = ANY({}::bigint[])"
        " UNION SELECT object_type, object_id, before->'form_id' FROM audit_entry"
        "  WHERE object_type = 'round' AND object_id = ANY({}::bigint[])"
        ") versions WHERE jsonb_typeof(v) = 'number'",
        [r["id"] for r in rows],
        rounds,
        rounds,
    )
    seen: dict[tuple[str, int], set[int]] = {}
    for h in history:
        seen.setdefault((h["object_type"], int(h["object_id"])), set()).add(int(h["id"]))
    return {
        r["id"]: (
            r["form_version"] or r["form"],
            seen.get(("application", r["id"]), set())
            | seen.get(("round", r["round"]), set())
            | {v for v in (r["form_version"], r["form"]) if v is not None},
        )
        for r in rows
    }


async def blind_answers_of(answers: Mapping[int, Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per application: its submitted answers with the identifying fields of every version removed (see the module
    docstring). Four queries whatever the number of applications."""
    versions = await form_versions_of(answers.keys())
    wanted = sorted({v for _, seen in versions.values() for v in seen})
    rows = (
        await FormVersion.select(FormVersion.id, FormVersion.json_schema)
        .where(FormVersion.id.is_in(wanted or [0]))
        .output(load_json=True)
    )
    schemas = {r["id"]: r["json_schema"] or {"type": "object"} for r in rows}
    out = {}
    for application_id, given in answers.items():
        submitted, seen = versions.get(application_id, (None, set()))
        base = schemas.get(submitted) if submitted is not None else None
        others = [schemas[v] for v in sorted(seen) if v in schemas]
        out[application_id] = strip_for_blind(base or {"type": "object"}, others, given)
    return out
