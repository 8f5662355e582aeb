"""Ties at the cut lines of a closed round (scoring.cut_line): shown to the officer, decided by the officer (which
tied entries pass, with a reason, audited), and required before 公示 lists the round's advancing projects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.tables import Application, Round, Track
from programmes.workflows import APPLICATION, RoundStatus
from scoring.access import ROUNDS
from scoring.aggregation import RankedApplication
from scoring.cut_line import CutLineTie, Quota, cut_line_ties, decided_selection, decision_problems
from scoring.publication.schemas import CutLineDecisionRead, CutLineTieRead
from scoring.tables import CutLineDecision, RankingEntry

DecisionKey = tuple[str, int, tuple[int, ...]]


@dataclass(frozen=True)
class CutLines:
    """A round's selection under a quota: its ties, those still undecided, the decisions that still match, and the
    final list of advancing application ids (rank order)."""

    ties: list[CutLineTie]
    undecided: list[CutLineTie]
    selected: tuple[int, ...]
    decisions: dict[DecisionKey, list[int]]
    # Why each other listed entry is out (scoring.cut_line.Selection.reasons, before the tie decisions).
    reasons: Mapping[int, str] = field(default_factory=dict)
    listed: tuple[int, ...] = ()  # every ranked entry the selection walked (those off the list left out)


async def _round(principal: Principal, round_id: int) -> dict[str, Any]:
    return await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.status, Round.scope_district))


async def selection_of(
    round_id: int,
    top_n: int | None,
    cutoff: str | None,
    *,
    track_quotas: Mapping[int, int] | None = None,
    district_quotas: Mapping[str, int] | None = None,
) -> CutLines:
    """The round's selection under the quota (``top_n`` overall, each track's quota — ``track_quotas`` replaces the
    tracks' own for the tracks it names —, each applicant district's ``district_quotas``), its ties, the decisions
    that still match, and the final list of advancing application ids (rank order)."""
    entries = (
        await RankingEntry.select(
            RankingEntry.rank,
            RankingEntry.application,
            RankingEntry.track,
            RankingEntry.methods,
            RankingEntry.application._.organisation_district.as_alias("district"),
        )
        .where(RankingEntry.round == round_id)
        .output(load_json=True)
    )
    # A ranked application an officer has since rejected (e.g. found ineligible after review) is off every list;
    # the others keep their ranks, so ties and cut lines are computed on what can still be listed.
    out = await Application.select(Application.id).where(
        Application.id.is_in([e["application"] for e in entries] or [0])
        & Application.status.is_in(APPLICATION.states_with("off_the_list"))
    )
    dropped = {row["id"] for row in out}
    entries = [e for e in entries if e["application"] not in dropped]
    ranking = [RankedApplication(e["rank"], e["application"], Fraction(e["methods"]["score"])) for e in entries]
    own = {t["id"]: t["quota"] for t in await Track.select(Track.id, Track.quota).where(Track.round == round_id)}
    quotas = {str(i): q for i, q in {**own, **(track_quotas or {})}.items() if q}
    quota = Quota(
        top_n=top_n,
        per_group=quotas,
        per_district=dict(district_quotas or {}),
        cutoff=Fraction(cutoff) if cutoff else None,
    )
    selection, ties = cut_line_ties(
        ranking,
        quota,
        {e["application"]: str(e["track"]) for e in entries if e["track"]},
        {e["application"]: e["district"] for e in entries if e["district"]} if district_quotas else None,
    )
    decisions = await _decisions(round_id)
    selected, undecided = decided_selection(ranking, selection, ties, decisions)
    listed = tuple(e.application_id for e in ranking)
    return CutLines(ties, undecided, selected, decisions, selection.reasons, listed)


async def _decisions(round_id: int) -> dict[DecisionKey, list[int]]:
    rows = (
        await CutLineDecision.select()
        .where(CutLineDecision.round == round_id)
        .order_by(CutLineDecision.id)
        .output(load_json=True)
    )
    return {(r["line"], r["rank"], tuple(r["tied"])): list(r["passed"]) for r in rows}


def tie_view(tie: CutLineTie, decisions: dict[DecisionKey, list[int]]) -> CutLineTieRead:
    decided = decisions.get(tie.key)
    return CutLineTieRead(
        line=tie.line,
        rank=tie.rank,
        places=tie.places,
        tied_application_ids=list(tie.tied),
        decided=decided is not None,
        passed_application_ids=decided,
    )


async def list_ties(principal: Principal, round_id: int, top_n: int | None, cutoff: str | None) -> list[CutLineTieRead]:
    """Officer in scope: the ties at the cut lines for this quota (track quotas, and ``top_n`` if given)."""
    await _round(principal, round_id)
    found = await selection_of(round_id, top_n, cutoff)
    return [tie_view(t, found.decisions) for t in found.ties]


def undecided_error(undecided: list[CutLineTie]) -> DomainError:
    """409 before 公示 while a tie at a cut line has no decision."""
    message = "入围线上有并列的申报，须先由项目官员裁定哪些入围（并说明理由）"
    return DomainError(
        "cut_line_tie_undecided",
        message,
        409,
        [
            FieldError(
                f"applications.{a}",
                "cut_line_tie_undecided",
                f"申报 {a} 与其他 {len(t.tied) - 1} 个申报并列第 {t.rank} 名（{t.places} 个名额）",
                {"application_id": a, "line": t.line, "rank": t.rank, "places": t.places, "tied": list(t.tied)},
            )
            for t in undecided
            for a in t.tied
        ],
    )


async def decide(
    principal: Principal,
    round_id: int,
    *,
    line: str,
    rank: int,
    passed: list[int],
    reason: str,
    top_n: int | None,
    cutoff: str | None,
    track_quotas: Mapping[int, int] | None = None,
    district_quotas: Mapping[str, int] | None = None,
) -> CutLineDecisionRead:
    """Officer in scope decides one tie of the round's current ranking under this quota (audited). One decision per
    tie: the round's row lock serialises concurrent ones, the second is refused with 409 ``cut_line_decided``. The
    stage advance (scoring.advancement) decides its ties here too, with its track and district quotas."""
    round_row = await _round(principal, round_id)
    if round_row["status"] != RoundStatus.closed:
        raise conflict("round_not_closed", "轮次关闭并完成排名后才能裁定并列")
    async with unit_of_work(Actor.of(principal)) as uow:
        await Round.select(Round.id).where(Round.id == round_id).lock_rows("UPDATE")
        found = await selection_of(round_id, top_n, cutoff, track_quotas=track_quotas, district_quotas=district_quotas)
        tie = next((t for t in found.ties if t.line == line and t.rank == rank), None)
        if tie is None:
            message = "该入围线上没有这一名次的并列"
            raise DomainError(
                "cut_line_tie_not_found", message, 422, [FieldError("rank", "cut_line_tie_not_found", message)]
            )
        if tie.key in found.decisions:
            raise conflict("cut_line_decided", "该并列已经裁定")
        if problems := decision_problems(tie, passed):
            raise DomainError(
                "cut_line_decision_invalid",
                "；".join(problems),
                422,
                [FieldError("passed_application_ids", "cut_line_decision_invalid", p) for p in problems],
            )
        rows = await CutLineDecision.insert(
            CutLineDecision(
                round=round_id,
                line=line,
                rank=rank,
                tied=list(tie.tied),
                passed=sorted(set(passed)),
                top_n=top_n,
                reason=reason,
                decided_by=principal.user_id,
                scope_district=round_row["scope_district"],
            )
        ).returning(CutLineDecision.id)
        await uow.audit(
            "round.cut_line_decision",
            "round",
            round_id,
            after={"line": line, "rank": rank, "tied": list(tie.tied), "passed": sorted(set(passed)), "top_n": top_n},
            reason=reason,
        )
    view = tie_view(tie, {tie.key: sorted(set(passed))})
    return CutLineDecisionRead(id=rows[0]["id"], **view.model_dump())


async def ensure_past_cut_line(application_id: int) -> None:
    """An officer's direct ``advance``/``select`` of a ranked application tied at its track's quota line: only once
    the tie is decided and the application is among those passed (409 otherwise)."""
    entry = await RankingEntry.select(RankingEntry.round).where(RankingEntry.application == application_id).first()
    if entry is None:
        return
    found = await selection_of(entry["round"], None, None)
    for tie in found.ties:
        if application_id not in tie.tied:
            continue
        if tie in found.undecided:
            raise undecided_error([tie])
        if application_id not in found.decisions[tie.key]:
            raise conflict("cut_line_not_passed", "该申报在入围线并列裁定中未入围")
