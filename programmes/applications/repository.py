"""Queries the application services share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import conflict, not_found
from app.timezone import now_utc, shown
from app.workflow.definition import Workflow
from programmes.applications.schemas import ApplicationRead
from programmes.tables import Application, Round, Track
from programmes.workflows import RoundStatus, application_workflow


async def accepting_round(round_id: int) -> dict[str, Any]:
    """The round, if it accepts work right now (open, and between its open and close times)."""
    row = (
        await Round.select(*Round.all_columns(), Round.edition._.programme._.kind.as_alias("kind"))
        .where(Round.id == round_id)
        .first()
    )
    if row is None:
        raise not_found("轮次")
    now = now_utc()
    if row["status"] != RoundStatus.open or now < row["opens_at"]:
        raise conflict("round_not_open", "该轮次未开放申报")
    if now >= row["closes_at"]:
        raise conflict("deadline_passed", f"申报已于 {shown(row['closes_at']):%Y-%m-%d %H:%M}（北京时间）截止")
    return dict(row)


async def round_tracks(round_id: int) -> list[dict[str, Any]]:
    return (await tracks_of([round_id])).get(round_id, [])


async def tracks_of(round_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The tracks of several rounds in one query, in their order (rounds without tracks are absent)."""
    rows = (
        await Track.select(Track.id, Track.name, Track.quota, Track.round)
        .where(Track.round.is_in(round_ids or [0]))
        .order_by(Track.position)
        .order_by(Track.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["round"], []).append({"id": row["id"], "name": row["name"], "quota": row["quota"]})
    return found


async def workflow_of(application_id: int) -> tuple[Workflow, dict[str, Any]]:
    """The application's row (answers loaded) and the workflow of its programme kind."""
    row = (
        await Application.select(
            *Application.all_columns(), Application.round._.edition._.programme._.kind.as_alias("kind")
        )
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise not_found("申报")
    return application_workflow(row["kind"]), dict(row)


async def round_workflow(round_id: int) -> Workflow:
    """The application workflow of a round's programme kind (the same for every application in the round)."""
    row = await Round.select(Round.edition._.programme._.kind.as_alias("kind")).where(Round.id == round_id).first()
    if row is None:
        raise not_found("轮次")
    return application_workflow(row["kind"])


def frozen_answers(row: Mapping[str, Any]) -> dict[str, Any]:
    """What experts and officers read: the answers exactly as submitted. An application returned for revision is
    being edited by its applicant; staff keep seeing the last submission until it is resubmitted. A draft that was
    never submitted has no submission yet, so its working answers are all there is."""
    submitted = row["submitted_answers"]
    return dict(submitted if submitted is not None else row["answers"] or {})


def as_read(row: Mapping[str, Any], *, frozen: bool = False) -> ApplicationRead:
    """``frozen``: the staff view (answers as submitted); otherwise the applicant's working copy."""
    return ApplicationRead(
        id=row["id"],
        round_id=row["round"],
        track_id=row["track"],
        organisation_id=row["organisation"],
        applied_via_id=row["applied_via"],
        entry_number=row["entry_number"],
        title=row["title"],
        status=row["status"],
        answers=frozen_answers(row) if frozen else row["answers"] or {},
        submitted_at=row["submitted_at"],
        form_version_id=row["form_version"],
        returned_reason=row["returned_reason"],
        eligibility_outcome=row["eligibility_outcome"],
        eligibility=row["eligibility"],
    )


async def read(application_id: int, *, frozen: bool = False) -> ApplicationRead:
    row = await Application.select().where(Application.id == application_id).first().output(load_json=True)
    if row is None:
        raise not_found("申报")
    return as_read(row, frozen=frozen)


async def lock(application_id: int) -> dict[str, Any]:
    """The application's row, locked FOR UPDATE until the caller's transaction ends (call inside one). Every
    read-then-write on an application (autosave, submit, attachments, assigning experts) takes this lock, the
    same one the workflow engine takes, so a status read here cannot change before the write commits."""
    rows = await Application.select().where(Application.id == application_id).lock_rows("UPDATE").output(load_json=True)
    if not rows:
        raise not_found("申报")
    return dict(rows[0])
