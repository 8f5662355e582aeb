"""A carried entry's own answers for its stage: the applicant may update the fields the stage's form adds (not in
the carried answers) or marks ``x-ui.stageEditable: true``, as a new submission version, while the entry is
submitted (before review starts) and the round accepts work. Experts and officers read the latest version (the
entry's ``submitted_answers``); every earlier one is kept in the audit log (``application.stage_update``: the
answers before and after, and the version number) and listed by ``versions``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.access import load
from app.audit import AuditEntry
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.paging import Page, PageParams, page_of
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.access import APPLICATIONS  # noqa: F401 — declares the policy load() reads
from programmes.applications.schemas import ApplicationRead
from programmes.applications.service import MAX_ANSWERS_BYTES
from programmes.form_ui import XUI
from programmes.forms import validate_answers
from programmes.stages.schemas import StageAnswersUpdate, SubmissionVersionRead
from programmes.tables import Application
from programmes.workflows import ApplicationStatus

UPDATE = "application.stage_update"


def editable_fields(schema: Mapping[str, Any], carried: Mapping[str, Any]) -> set[str]:
    """Top-level fields of the stage's form the applicant may set: those the carried answers lack, and those
    marked ``x-ui.stageEditable``."""
    fields = schema.get("properties") or {}
    return {
        name
        for name, node in fields.items()
        if name not in carried or (isinstance(node, dict) and (node.get(XUI) or {}).get("stageEditable") is True)
    }


async def _carried(row: Mapping[str, Any]) -> dict[str, Any]:
    source = (
        await Application.select(Application.submitted_answers)
        .where(Application.id == row["carried_from"])
        .first()
        .output(load_json=True)
    )
    return dict((source or {}).get("submitted_answers") or {})


async def update_stage_answers(principal: Principal, application_id: int, data: StageAnswersUpdate) -> ApplicationRead:
    row = await load(principal, Application, application_id, "applying", load_json=True)
    if row["carried_from"] is None:
        raise conflict("not_a_carried_entry", "该申报不是由上一阶段带入的，请通过草稿编辑修改")
    if row["status"] != ApplicationStatus.submitted:
        raise conflict("stage_answers_locked", "评审开始后不能再更新本阶段的申报内容")
    await repository.accepting_round(row["round"])
    form = (
        await Application.select(Application.form_version._.json_schema.as_alias("schema"))
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    schema = dict((form or {}).get("schema") or {})
    allowed = editable_fields(schema, await _carried(row))
    if refused := sorted(set(data.answers) - allowed):
        message = "这些字段由上一阶段带入，本阶段不能修改"
        raise DomainError(
            "stage_field_not_editable",
            message,
            422,
            [FieldError(name, "stage_field_not_editable", message) for name in refused],
        )
    async with unit_of_work(Actor(principal.user_id, "applicant")) as uow:
        locked = await repository.lock(application_id)
        if locked["status"] != ApplicationStatus.submitted:
            raise conflict("stage_answers_locked", "评审开始后不能再更新本阶段的申报内容")
        before = dict(locked["submitted_answers"] or {})
        merged = {**before, **data.answers}
        if len(json.dumps(merged, ensure_ascii=False).encode()) > MAX_ANSWERS_BYTES:
            raise DomainError("answers_too_large", "申报内容过大", 413)
        validate_answers(schema, merged)
        version = 2 + await AuditEntry.count().where(
            (AuditEntry.object_type == "application")
            & (AuditEntry.object_id == application_id)
            & (AuditEntry.action == UPDATE)
        )
        text = json.dumps(merged, ensure_ascii=False)
        await Application.update(
            {Application.answers: text, Application.submitted_answers: text, Application.updated_at: now_utc()}
        ).where(Application.id == application_id)
        await uow.audit(
            "application.stage_update",
            "application",
            application_id,
            before={"answers": before},
            after={"answers": merged, "version": version, "fields": sorted(data.answers)},
        )
    return await repository.read(application_id)


async def versions(principal: Principal, application_id: int, paging: PageParams) -> Page[SubmissionVersionRead]:
    """Members and staff in scope: the entry's submission versions, oldest first (1: as carried)."""
    row = await load(principal, Application, application_id, "reader", load_json=True)
    updates = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.created_at)
        .where(
            (AuditEntry.object_type == "application")
            & (AuditEntry.object_id == application_id)
            & (AuditEntry.action == UPDATE)
        )
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    if not updates:
        found = [
            SubmissionVersionRead(
                version=1, answers=dict(row["submitted_answers"] or {}), created_at=row["submitted_at"]
            )
        ]
    else:
        found = [
            SubmissionVersionRead(version=1, answers=updates[0]["before"]["answers"], created_at=row["submitted_at"])
        ]
        found += [
            SubmissionVersionRead(
                version=u["after"]["version"], answers=u["after"]["answers"], created_at=u["created_at"]
            )
            for u in updates
        ]
    return page_of(found, paging)
