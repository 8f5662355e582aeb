"""One entry made from another in a different round, carrying its data: the next stage's entry an advance creates
(复赛 from 初赛, 决赛 from 复赛), the supported project's entry in a graduation round (结项评估). The organisation,
title and answers come from the source; the files the target round allows are copied; the new row names its source
(``Application.carried_from``, unique per source and round, so carrying twice leaves one entry).

The caller owns the unit of work. ``carry_and_submit`` is the one step every carrier takes (a stage advance, a
district's recommendation forwarded to the city stage, a supported project sent to its graduation round): the
entry is carried, submitted there with the answers it carries (``carry_in``: the staff view reads them as
submitted) under the target round's form, and screened against the target round's rules — without an eligibility
outcome the assignment solver's gate (``programmes.applications.gate.passing``) would give it no experts. Copy
files with ``prepare_files`` before the unit of work opens and ``discard_files`` if it fails (files live outside
the transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.errors import conflict
from app.timezone import now_utc
from app.uow import UnitOfWork
from app.workflow.definition import Workflow
from programmes.applications.screening import screen_application
from programmes.attachments.carry import copy_allowed, discard
from programmes.attachments.tables import Attachment
from programmes.tables import Application, Round, RoundStage
from programmes.workflows.contest import ApplicationStatus


async def prepare_files(source_id: int, target_round: Mapping[str, Any], purpose: str) -> list[dict[str, Any]]:
    """Copies of the source's files the target round accepts (rows still to insert)."""
    return await copy_allowed(source_id, target_round, purpose)


async def discard_files(files: list[dict[str, Any]]) -> None:
    await discard(files)


async def carry_entry(
    uow: UnitOfWork,
    source: Mapping[str, Any],
    target_round: Mapping[str, Any],
    *,
    answers: Mapping[str, Any],
    files: list[dict[str, Any]],
    track_id: int | None = None,
    created_by: int | None = None,
) -> int:
    """Insert the carried entry as a draft in ``target_round`` (a row with ``id`` and ``scope_district``) with the
    prepared files; 409 ``entry_already_carried`` if this source already has an entry there."""
    now = now_utc()
    try:
        created = await Application.insert(
            Application(
                round=target_round["id"],
                track=track_id,
                organisation=source["organisation"],
                entry_number=source.get("entry_number") or 1,
                title=source["title"],
                status=ApplicationStatus.draft,
                answers=dict(answers),
                created_by=created_by,
                applied_via=source.get("applied_via"),
                scope_district=target_round["scope_district"],
                organisation_district=source.get("organisation_district"),
                carried_from=source["id"],
                created_at=now,
                updated_at=now,
            )
        ).returning(Application.id)
    except UniqueViolationError as exc:
        if "application_carried_once" in str(exc):
            raise conflict("entry_already_carried", "该申报已进入此轮次") from exc
        raise
    entry_id = int(created[0]["id"])
    for item in files:
        await Attachment.insert(Attachment(application=entry_id, scope_district=target_round["scope_district"], **item))
    await uow.audit(
        "application.carry",
        "application",
        entry_id,
        after={"carried_from": int(source["id"]), "round": int(target_round["id"]), "attachments_carried": len(files)},
    )
    return entry_id


async def carry_and_submit(
    uow: UnitOfWork,
    source: Mapping[str, Any],
    target_round: Mapping[str, Any],
    *,
    answers: Mapping[str, Any],
    files: list[dict[str, Any]],
    track_id: int | None = None,
    created_by: int | None = None,
    workflow: Workflow | None = None,
) -> int:
    """``carry_entry``, then ``carry_in`` (submitted now with ``answers`` as its frozen answers, ``form_version`` the
    target round's ``form``) and screening. ``workflow``: the entry's workflow when the caller already holds it
    (saves the engine's lookup); otherwise the engine resolves it from the new row."""
    entry_id = await carry_entry(
        uow, source, target_round, answers=answers, files=files, track_id=track_id, created_by=created_by
    )
    now = now_utc()
    await uow.transition(
        Application,
        entry_id,
        "carry_in",
        workflow=workflow,
        values={
            "submitted_answers": dict(answers),
            "form_version": target_round["form"],
            "submitted_at": now,
            "updated_at": now,
        },
    )
    await screen_application(entry_id, uow.actor)
    return entry_id


async def next_stage(round_id: int) -> dict[str, Any] | None:
    """The round after this one in its edition's stage order (lowest higher position; graduation rounds are outside
    the order), or None for the last stage."""
    current = await Round.select(Round.edition, Round.position, Round.stage).where(Round.id == round_id).first()
    if current is None or current["stage"] == RoundStage.graduation:
        return None
    row = (
        await Round.select()
        .where(
            (Round.edition == current["edition"])
            & (Round.position > current["position"])
            & (Round.stage != RoundStage.graduation)
        )
        .order_by(Round.position)
        .order_by(Round.id)
        .first()
        .output(load_json=True)
    )
    return None if row is None else dict(row)


async def admits_direct_applications(round_row: Mapping[str, Any]) -> bool:
    """Only an edition's first stage takes applications straight from organisations; a later stage (and a
    graduation round) admits only the entries carried into it. Rounds that all sit at position 0 (single-stage calls,
    the default) each admit directly."""
    if round_row["stage"] == RoundStage.graduation:
        return False
    earlier = await Round.exists().where(
        (Round.edition == round_row["edition"])
        & (Round.position < round_row["position"])
        & (Round.stage != RoundStage.graduation)
    )
    return not earlier
