"""The stage advance (晋级): from a closed, ranked stage to the next one, with quotas per track and per applicant
district (scoring.cut_line). The officer previews who advances in ranking order, decides the ties at the cut lines
(scoring.publication.ties: which tied entries pass, with a reason), then commits: the advancing entries move on and
are carried into the next stage, the others get 未晋级, both are notified (programmes.stages.advance.move_on, the
path every advance takes). A second or concurrent commit changes nothing more."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict
from app.workflow.engine import Actor
from programmes.applications.carry import next_stage
from programmes.stages.advance import move_on
from programmes.tables import Application, Round
from programmes.workflows import ApplicationStatus, RoundStatus
from scoring.access import ROUNDS
from scoring.advancement.schemas import (
    StageAdvanceRead,
    StageEntryRead,
    StagePreviewRead,
    StageQuota,
    StageTieDecision,
)
from scoring.publication.schemas import CutLineDecisionRead
from scoring.publication.ties import CutLines, decide, selection_of, tie_view, undecided_error
from scoring.tables import RankingEntry

# Ranked entries the advance decides; an entry back in review (an upheld objection) waits for its new rank.
DECIDED_HERE = (ApplicationStatus.ranked, ApplicationStatus.advanced, ApplicationStatus.not_advanced)
MOVED = (ApplicationStatus.advanced, ApplicationStatus.not_advanced)


def _quotas(quota: StageQuota) -> dict[str, Any]:
    return {
        "track_quotas": {t.track_id: t.quota for t in quota.track_quotas},
        "district_quotas": {d.district.value: d.quota for d in quota.district_quotas},
    }


async def _stage_round(principal: Principal, round_id: int) -> dict[str, Any]:
    row = await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.status, Round.scope_district))
    if row["status"] != RoundStatus.closed:
        raise conflict("round_not_closed", "轮次关闭并完成排名后才能确定晋级")
    return row


async def _selection(round_id: int, quota: StageQuota) -> CutLines:
    return await selection_of(round_id, quota.top_n, quota.cutoff, **_quotas(quota))


async def _preview(round_id: int, found: CutLines) -> StagePreviewRead:
    target = await next_stage(round_id)
    considered = set(found.listed)
    rows = (
        await RankingEntry.select(
            RankingEntry.rank,
            RankingEntry.application,
            RankingEntry.track,
            RankingEntry.application._.title.as_alias("title"),
            RankingEntry.application._.status.as_alias("status"),
            RankingEntry.application._.organisation_district.as_alias("district"),
        )
        .where((RankingEntry.round == round_id) & RankingEntry.application.is_in(list(considered) or [0]))
        .order_by(RankingEntry.rank)
        .order_by(RankingEntry.application)
    )
    carried: dict[int, int] = {}
    if target is not None:
        for entry in await Application.select(Application.id, Application.carried_from).where(
            (Application.round == target["id"]) & Application.carried_from.is_in(list(considered) or [0])
        ):
            carried[entry["carried_from"]] = entry["id"]
    passing = set(found.selected)
    tied = {a for t in found.ties for a in t.tied}
    entries = [
        StageEntryRead(
            application_id=r["application"],
            title=r["title"],
            rank=r["rank"],
            track_id=r["track"],
            district=r["district"],
            status=r["status"],
            advancing=r["application"] in passing,
            reason=None
            if r["application"] in passing
            else ("tie" if r["application"] in tied else found.reasons.get(r["application"])),
            carried_entry_id=carried.get(r["application"]),
        )
        for r in rows
    ]
    decided_here = [e for e in entries if e.status in DECIDED_HERE]
    return StagePreviewRead(
        round_id=round_id,
        next_round_id=None if target is None else target["id"],
        next_round_name=None if target is None else target["name"],
        entries=entries,
        ties=[tie_view(t, found.decisions) for t in found.ties],
        undecided_ties=len(found.undecided),
        committed=bool(decided_here) and all(e.status in MOVED for e in decided_here),
    )


async def preview(principal: Principal, round_id: int, quota: StageQuota) -> StagePreviewRead:
    """Officer in scope: who would advance under this quota, in ranking order, and the ties at its cut lines."""
    await _stage_round(principal, round_id)
    return await _preview(round_id, await _selection(round_id, quota))


async def decide_tie(principal: Principal, round_id: int, data: StageTieDecision) -> CutLineDecisionRead:
    """One tie at a cut line of this quota decided (the cut-line machinery's decision, audited)."""
    return await decide(
        principal,
        round_id,
        line=data.line,
        rank=data.rank,
        passed=list(data.passed_application_ids),
        reason=data.reason,
        top_n=data.top_n,
        cutoff=data.cutoff,
        **_quotas(data),
    )


async def commit(principal: Principal, round_id: int, quota: StageQuota) -> StageAdvanceRead:
    """Officer in scope commits the advance: 409 ``cut_line_tie_undecided`` while a tie is undecided, 409
    ``no_next_stage`` on the edition's last stage; otherwise the advancing entries move on and are carried, the
    others get 未晋级 (idempotent: a repeat changes nothing and answers the same list)."""
    await _stage_round(principal, round_id)
    if await next_stage(round_id) is None:
        raise conflict("no_next_stage", "本轮是本届最后一个阶段，没有可晋级的下一阶段")
    found = await _selection(round_id, quota)
    if found.undecided:
        raise undecided_error(found.undecided)
    others = [a for a in found.listed if a not in set(found.selected)]
    status = {
        r["id"]: r["status"]
        for r in await Application.select(Application.id, Application.status).where(
            Application.id.is_in([*found.selected, *others] or [0])
        )
    }
    moved = await move_on(
        Actor.of(principal),
        round_id,
        list(found.selected),
        [a for a in others if status.get(a) in DECIDED_HERE],
    )
    view = await _preview(round_id, found)
    return StageAdvanceRead(
        **view.model_dump(),
        advanced_now=list(moved.advanced),
        not_advanced_now=list(moved.not_advanced),
        carried_now={str(k): v for k, v in moved.carried.items()},
    )
