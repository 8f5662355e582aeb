"""The one carry step every carrier takes (stage advance, recommendation forward, graduation):
``carry_and_submit`` makes the entry, submits it under the target round's form and screens it, in that order, in
the caller's unit of work; carrying the same source into the same round again is refused and leaves nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.audit import AuditEntry
from app.errors import DomainError
from app.reference import District
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.carry import carry_and_submit
from programmes.tables import Application, Round
from tests.factories.stages import Stages, staged_edition


async def _rows(stages: Stages) -> tuple[dict[str, Any], dict[str, Any]]:
    source_id, target_id = stages.entries[0]["id"], stages.rounds[1]["id"]
    source = await Application.select().where(Application.id == source_id).first().output(load_json=True)
    target = await Round.select().where(Round.id == target_id).first().output(load_json=True)
    assert source is not None and target is not None
    return dict(source), dict(target)


async def _carry(stages: Stages, source: dict[str, Any], target: dict[str, Any], answers: dict[str, Any]) -> int:
    async with unit_of_work(Actor.of(stages.officer.principal)) as uow:
        return await carry_and_submit(uow, source, target, answers=answers, files=[], created_by=stages.officer.id)


async def test_the_carried_entry_is_submitted_under_the_target_form_and_screened(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong])
    source, target = await _rows(stages)
    answers = {**source["submitted_answers"], "summary": "带入下一阶段的申报摘要"}

    entry_id = await _carry(stages, source, target, answers)

    entry = await Application.select().where(Application.id == entry_id).first().output(load_json=True)
    assert entry is not None
    assert (entry["round"], entry["carried_from"], entry["status"]) == (target["id"], source["id"], "submitted")
    assert entry["answers"] == answers and entry["submitted_answers"] == answers
    assert entry["form_version"] == target["form"] and entry["form_version"] != source["form_version"]
    assert entry["submitted_at"] is not None and entry["updated_at"] == entry["submitted_at"]
    assert entry["eligibility_outcome"] != "not_screened"
    audit = (
        await AuditEntry.select(AuditEntry.action)
        .where((AuditEntry.object_type == "application") & (AuditEntry.object_id == entry_id))
        .order_by(AuditEntry.id)
    )
    # Carried, then submitted there, then screened: the screening sees the entry as submitted.
    assert [a["action"] for a in audit] == ["application.carry", "contest_application.carry_in", "application.screen"]


async def test_carrying_the_same_entry_again_is_refused_and_leaves_nothing(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong])
    source, target = await _rows(stages)
    await _carry(stages, source, target, source["submitted_answers"])
    entries, audit = await Application.count(), await AuditEntry.count()

    # Another entry number, as graduation gives each carry: only the once-per-source rule can refuse it.
    with pytest.raises(DomainError) as refused:
        await _carry(stages, {**source, "entry_number": 2}, target, source["submitted_answers"])

    assert refused.value.code == "entry_already_carried" and refused.value.status == 409
    assert await Application.count() == entries and await AuditEntry.count() == audit
