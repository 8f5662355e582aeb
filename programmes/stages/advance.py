"""Moving a stage's entries on: the one path every advance takes (the stage advance with quotas, an officer's
single or bulk 晋级, a finalised 公示), so an advanced entry never stays behind in its stage.

``move_on`` advances the given entries (``advance``, ranked → 晋级) and gives the others the workflow's not-advanced
outcome (``not_advance`` → 未晋级), notifying both groups; when the round has a next stage
(``programmes.applications.carry.next_stage``) every advanced entry is carried into it in the same unit of work:
the submitted answers and the files the next round accepts, the track mapped by name, then ``carry_in`` (submitted
for that stage, its frozen answers the carried ones, ``form_version`` the next round's form) and screening.

Idempotent: the round's row lock serialises concurrent calls, an entry already moved is left as it is, an entry
already carried is not carried again (``application_carried_once`` backs it). An entry the call would move the
other way (advanced before, not advanced now) is refused with 409 ``stage_already_advanced``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.errors import DomainError, FieldError, conflict
from app.uow import UnitOfWork, unit_of_work
from app.workflow.definition import Workflow
from app.workflow.engine import Actor
from programmes.applications.carry import carry_and_submit, discard_files, next_stage, prepare_files
from programmes.applications.notify import notify_members
from programmes.applications.repository import round_workflow
from programmes.tables import Application, Round, Track
from programmes.workflows import ApplicationStatus, RoundStatus

ADVANCED = ApplicationStatus.advanced
NOT_ADVANCED = ApplicationStatus.not_advanced


@dataclass(frozen=True)
class MoveResult:
    next_round_id: int | None
    advanced: tuple[int, ...]  # entries moved to 晋级 by this call
    not_advanced: tuple[int, ...]  # entries moved to 未晋级 by this call
    carried: Mapping[int, int]  # source entry → its new entry in the next stage, made by this call


async def next_round_of(round_id: int) -> dict[str, Any] | None:
    """The next stage's round, checked to take carried entries (a form, not closed); None for the last stage."""
    target = await next_stage(round_id)
    if target is None:
        return None
    if target["form"] is None:
        raise conflict("next_stage_without_form", f"下一阶段「{target['name']}」还没有申报表，不能晋级")
    if target["status"] == RoundStatus.closed:
        raise conflict("next_stage_closed", f"下一阶段「{target['name']}」已关闭，不能再晋级")
    return target


async def mapped_tracks(sources: Sequence[Mapping[str, Any]], target_round_id: int) -> dict[int, int | None]:
    """Each source entry's track in the next stage, by track name (422 ``track_not_in_next_stage`` if missing)."""
    names = {
        t["id"]: t["name"]
        for t in await Track.select(Track.id, Track.name).where(
            Track.id.is_in([s["track"] for s in sources if s["track"]] or [0])
        )
    }
    target = {
        t["name"]: t["id"] for t in await Track.select(Track.id, Track.name).where(Track.round == target_round_id)
    }
    mapped: dict[int, int | None] = {}
    problems = []
    for source in sources:
        name = names.get(source["track"]) if source["track"] else None
        if not target:
            mapped[source["id"]] = None
        elif name in target:
            mapped[source["id"]] = target[name]
        else:
            problems.append(
                FieldError(
                    f"applications.{source['id']}",
                    "track_not_in_next_stage",
                    f"申报 {source['id']} 的赛道「{name or '未分赛道'}」在下一阶段没有同名赛道",
                )
            )
    if problems:
        raise DomainError("track_not_in_next_stage", "下一阶段缺少同名赛道，不能带入这些申报", 422, problems)
    return mapped


async def _carried_sources(source_ids: Sequence[int], target_round_id: int) -> set[int]:
    rows = await Application.select(Application.carried_from).where(
        (Application.round == target_round_id) & Application.carried_from.is_in(list(source_ids) or [0])
    )
    return {r["carried_from"] for r in rows}


async def _notify(application_id: int, round_id: int, advanced: bool, round_name: str) -> None:
    kind = "stage_advanced" if advanced else "stage_not_advanced"
    title = "恭喜晋级下一阶段" if advanced else "评审结果：未晋级"
    body = (
        f"您的申报（编号 {application_id}）已晋级{round_name}，申报内容和附件已带入下一阶段。"
        if advanced
        else f"您的申报（编号 {application_id}）未能晋级下一阶段，感谢参与。"
    )
    await notify_members(application_id, kind, title, body, f"stage:{round_id}:{kind}:{application_id}")


async def _move(
    uow: UnitOfWork, workflow: Workflow, round_id: int, advance: Sequence[int], stop: Sequence[int], next_name: str
) -> tuple[list[int], list[int]]:
    rows = await Application.select(Application.id, Application.status).where(
        Application.id.is_in([*advance, *stop] or [0])
    )
    status = {r["id"]: r["status"] for r in rows}
    moved_on: list[int] = []
    stopped: list[int] = []
    for application_id in advance:
        if status.get(application_id) == NOT_ADVANCED:
            raise conflict("stage_already_advanced", f"申报 {application_id} 已确定未晋级，本阶段的晋级名单不能再改")
        if status.get(application_id) != ADVANCED:
            await uow.transition(Application, application_id, "advance", workflow=workflow)
            await _notify(application_id, round_id, True, next_name)
            moved_on.append(application_id)
    for application_id in stop:
        if status.get(application_id) == ADVANCED:
            raise conflict("stage_already_advanced", f"申报 {application_id} 已晋级，本阶段的晋级名单不能再改")
        if status.get(application_id) != NOT_ADVANCED:
            await uow.transition(Application, application_id, "not_advance", workflow=workflow)
            await _notify(application_id, round_id, False, next_name)
            stopped.append(application_id)
    return moved_on, stopped


async def _carry(
    uow: UnitOfWork,
    workflow: Workflow,
    target: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]],
    tracks: Mapping[int, int | None],
    prepared: dict[int, list[dict[str, Any]]],
) -> dict[int, int]:
    carried: dict[int, int] = {}
    already = await _carried_sources([s["id"] for s in sources], target["id"])
    for source in sources:
        if source["id"] in already:
            continue
        entry_id = await carry_and_submit(
            uow,
            source,
            target,
            answers=dict(source["submitted_answers"] or {}),
            files=prepared.pop(source["id"], []),
            track_id=tracks[source["id"]],
            created_by=uow.actor.user_id,
            workflow=workflow,
        )
        carried[int(source["id"])] = entry_id
    return carried


async def move_on(actor: Actor, round_id: int, advance: Sequence[int], stop: Sequence[int] = ()) -> MoveResult:
    """Advance ``advance`` and stop ``stop`` (entries of ``round_id``), carrying every advanced one into the next
    stage; one unit of work under the round's row lock."""
    target = await next_round_of(round_id)
    workflow = await round_workflow(round_id)
    sources: list[dict[str, Any]] = []
    tracks: dict[int, int | None] = {}
    prepared: dict[int, list[dict[str, Any]]] = {}
    if target is not None and advance:
        sources = [
            dict(r)
            for r in await Application.select()
            .where(Application.id.is_in(list(advance)) & (Application.round == round_id))
            .order_by(Application.id)
            .output(load_json=True)
        ]
        tracks = await mapped_tracks(sources, target["id"])
        # Files live outside the transaction: copied first, the unused copies removed afterwards.
        for source_id in set(tracks) - await _carried_sources(list(tracks), target["id"]):
            prepared[source_id] = await prepare_files(source_id, target, "stage")
    every_copy = list(prepared.values())
    try:
        async with unit_of_work(actor) as uow:
            await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
            next_name = f"「{target['name']}」" if target is not None else "下一阶段"
            moved_on, stopped = await _move(uow, workflow, round_id, advance, stop, next_name)
            carried = await _carry(uow, workflow, target, sources, tracks, prepared) if target is not None else {}
            if moved_on or stopped or carried:
                await uow.audit(
                    "round.stage_advance",
                    "round",
                    round_id,
                    after={
                        "next_round": None if target is None else target["id"],
                        "advanced": moved_on,
                        "not_advanced": stopped,
                        "carried": {str(k): v for k, v in carried.items()},
                    },
                )
    except BaseException as exc:
        for files in every_copy:
            await discard_files(files)
        if isinstance(exc, UniqueViolationError):  # one live entry per organisation, round and track
            raise conflict("entry_exists_in_next_stage", "该单位在下一阶段已有申报，不能再带入") from exc
        raise
    for files in prepared.values():  # copies for entries another call carried first
        await discard_files(files)
    return MoveResult(None if target is None else int(target["id"]), tuple(moved_on), tuple(stopped), carried)


async def carry_advanced(actor: Actor, round_id: int) -> MoveResult:
    """Carry every advanced entry of the round that has no entry in the next stage yet (after a 公示 is finalised,
    which moves its listed entries to 晋级)."""
    rows = await Application.select(Application.id).where(
        (Application.round == round_id) & (Application.status == ADVANCED)
    )
    return await move_on(actor, round_id, [r["id"] for r in rows])
