"""The city's forward (推荐晋级): every recommended entry of the round is carried into the next stage and submitted
there; every other entry still in the running gets 未晋级; both are told. The forward also closes the round's
recommendations.

Idempotent: the round's row is locked ``FOR UPDATE`` and the forward leaves one ``RecommendationClosure`` (unique per
round); a second call, concurrent or later, finds it and changes nothing; ``carry_entry``'s unique key (one carried
entry per source and round) is the net below."""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.errors import conflict
from app.timezone import now_utc
from app.uow import UnitOfWork, unit_of_work
from app.workflow.definition import Workflow
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.carry import carry_and_submit, discard_files, next_stage, prepare_files
from programmes.applications.notify import notify_members
from programmes.kinds import ROUND_STAGE_ZH, RoundStage
from programmes.recommendations.access import round_for_city
from programmes.recommendations.schemas import ForwardRead
from programmes.recommendations.tables import Recommendation, RecommendationClosure
from programmes.tables import Application, Round, Track
from programmes.workflows import RoundStatus
from programmes.workflows.recommendation import RecommendationStatus


async def _closure(round_id: int) -> dict[str, Any] | None:
    row = await RecommendationClosure.select().where(RecommendationClosure.round == round_id).first()
    return None if row is None else dict(row)


def _as_read(row: dict[str, Any], *, already: bool) -> ForwardRead:
    return ForwardRead(
        round_id=row["round"],
        next_round_id=row["next_round"],
        advanced=row["advanced"],
        not_advanced=row["not_advanced"],
        closed_at=row["closed_at"],
        already_forwarded=already,
    )


async def _recommended(round_id: int) -> list[dict[str, Any]]:
    rows = (
        await Recommendation.select(Recommendation.id, Recommendation.application)
        .where((Recommendation.round == round_id) & (Recommendation.status == RecommendationStatus.recommended))
        .order_by(Recommendation.id)
    )
    return [dict(r) for r in rows]


async def _track_in(target_round_id: int, source_track: int | None) -> int | None:
    """The next stage's track of the same name as the entry's (tracks are per round)."""
    if source_track is None:
        return None
    name = await Track.select(Track.name).where(Track.id == source_track).first()
    if name is None:
        return None
    found = await Track.select(Track.id).where((Track.round == target_round_id) & (Track.name == name["name"])).first()
    return None if found is None else int(found["id"])


async def _carry_one(
    uow: UnitOfWork, recommendation: dict[str, Any], target: dict[str, Any], files: list[dict[str, Any]]
) -> None:
    source_id = int(recommendation["application"])
    workflow, source = await repository.workflow_of(source_id)
    await uow.transition(Application, source_id, "forward", workflow=workflow)
    answers = repository.frozen_answers(source)
    # Submitted for the next stage and screened there, as a stage advance carries its entries.
    entry_id = await carry_and_submit(
        uow,
        source,
        target,
        answers=answers,
        files=files,
        track_id=await _track_in(int(target["id"]), source["track"]),
        created_by=uow.actor.user_id,
    )
    await uow.transition(Recommendation, int(recommendation["id"]), "forward", values={"carried_entry": entry_id})
    stage = ROUND_STAGE_ZH.get(RoundStage(target["stage"]), "下一阶段")
    await notify_members(
        source_id,
        "stage_advanced",
        f"晋级：{stage}",
        f"您的申报「{source['title']}」已获区级推荐，晋级{stage}「{target['name']}」，申报材料已带入，无需重新填写。",
        f"recommendation:advanced:{source_id}",
    )


async def _not_advance_the_rest(uow: UnitOfWork, round_id: int, workflow: Workflow, forwarded: set[int]) -> int:
    """Every other entry from which the workflow's 未晋级 step starts."""
    states = [s for s in workflow.states if workflow.permits(s, "not_advance", uow.actor.role)[0]]
    rows = (
        await Application.select(Application.id, Application.title)
        .where((Application.round == round_id) & Application.status.is_in(states or [""]))
        .order_by(Application.id)
    )
    count = 0
    for row in rows:
        if int(row["id"]) in forwarded:
            continue
        await uow.transition(Application, int(row["id"]), "not_advance", workflow=workflow)
        await notify_members(
            int(row["id"]),
            "stage_not_advanced",
            "未晋级",
            f"您的申报「{row['title']}」未获区级推荐，未晋级下一阶段。感谢参与。",
            f"recommendation:not_advanced:{row['id']}",
        )
        count += 1
    return count


async def forward(principal: Principal, round_id: int) -> ForwardRead:
    round_row = await round_for_city(principal, round_id)
    done = await _closure(round_id)
    if done is not None:
        return _as_read(done, already=True)
    target = await next_stage(round_id)
    if target is None:
        raise conflict("no_next_stage", "该届次没有下一阶段轮次，不能推荐晋级")
    if round_row["status"] == RoundStatus.open and round_row["closes_at"] > now_utc():
        raise conflict("round_still_accepting", "该轮次仍在征集申报，截止后才能推荐晋级")
    workflow = await repository.round_workflow(round_id)
    # Files live outside the transaction: copy them first, discard them if the forward does not happen.
    planned = await _recommended(round_id)
    files = {int(r["id"]): await prepare_files(int(r["application"]), target, "carried") for r in planned}
    used: set[int] = set()
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
            done = await _closure(round_id)
            if done is not None:  # a concurrent forward won; ours changes nothing
                raise _AlreadyForwarded(done)
            recommended = await _recommended(round_id)  # withdrawals before the lock are honoured
            for recommendation in recommended:
                key = int(recommendation["id"])
                if key not in files:  # recommended after the copies were made, before the lock
                    files[key] = await prepare_files(int(recommendation["application"]), target, "carried")
                used.add(key)
                await _carry_one(uow, recommendation, target, files[key])
            not_advanced = await _not_advance_the_rest(
                uow, round_id, workflow, {int(r["application"]) for r in recommended}
            )
            closure = await RecommendationClosure.insert(
                RecommendationClosure(
                    round=round_id,
                    next_round=target["id"],
                    advanced=len(recommended),
                    not_advanced=not_advanced,
                    closed_by=principal.user_id,
                    scope_district=round_row["scope_district"],
                    closed_at=now_utc(),
                )
            ).returning(*RecommendationClosure.all_columns())
            await uow.audit(
                "district_recommendation.forward_round",
                "round",
                round_id,
                after={"next_round": int(target["id"]), "advanced": len(recommended), "not_advanced": not_advanced},
            )
    except _AlreadyForwarded as already:
        await _discard(files)
        return _as_read(already.closure, already=True)
    except BaseException:
        await _discard(files)
        raise
    await _discard({key: value for key, value in files.items() if key not in used})  # withdrawn before the lock
    return _as_read(dict(closure[0]), already=False)


async def _discard(files: dict[int, list[dict[str, Any]]]) -> None:
    for prepared in files.values():
        await discard_files(prepared)


class _AlreadyForwarded(Exception):
    def __init__(self, closure: dict[str, Any]) -> None:
        super().__init__("already forwarded")
        self.closure = closure
