"""Prizes from a round's ranking: the preview (tiers filled in rank order per track, ties at a tier boundary shown
until the officer decides them) and the confirmation, which records the prizes and gives each prize with money an
award through the award service (obligation, agreement with its payment plan, tranche).

Only entries on the round's public list (公示) can win, and the confirmation waits until that notice is final:
a prize never goes to an unannounced winner. Confirming is once per edition: the edition's row lock serialises
confirmations, and one that finds the prizes confirmed answers them unchanged (a unique column backs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.notifications.service import notify_organisations
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.awards.schemas import AwardCreate
from programmes.awards.service import make_award
from programmes.camps.attendance_rules import new_verification_code
from programmes.catalogue.access import EDITIONS
from programmes.kinds import AwardType, RoundStage
from programmes.ports import NoticeFacts, review_side
from programmes.prizes import fill as filling
from programmes.prizes.reading import read_confirmation
from programmes.prizes.schemas import (
    PrizeConfirmationRead,
    PrizePreview,
    PrizeRequest,
    TieRead,
    TierFillRead,
    WinnerRead,
)
from programmes.prizes.tables import Prize, PrizeConfirmation
from programmes.prizes.tiers import tiers_of
from programmes.tables import Application, Award, Edition, Round

EDITION_COLUMNS = (Edition.id, Edition.scope_district, Edition.title)


@dataclass
class Draft:
    round_id: int
    notice: NoticeFacts | None
    tiers: list[dict[str, Any]]
    result: filling.Fill
    entries: dict[int, dict[str, Any]]  # application id → title, organisation, organisation name


async def _round_of(edition_id: int, round_id: int | None) -> int:
    if round_id is not None:
        if not await Round.exists().where((Round.id == round_id) & (Round.edition == edition_id)):
            raise invalid("round_invalid", "轮次不存在或不属于该届次", "round_id")
        return round_id
    finals = await Round.select(Round.id).where((Round.edition == edition_id) & (Round.stage == RoundStage.final))
    if not finals:
        raise conflict("no_final_round", "本届没有决赛轮次，请指定依据的轮次")
    if len(finals) > 1:
        raise conflict("final_round_ambiguous", "本届有多个决赛轮次，请指定依据的轮次")
    return int(finals[0]["id"])


async def _entries(application_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not application_ids:
        return {}
    rows = await Application.select(
        Application.id,
        Application.title,
        Application.organisation,
        Application.organisation.name.as_alias("organisation_name"),
        Application.track.name.as_alias("track_name"),
    ).where(Application.id.is_in(application_ids))
    return {int(r["id"]): dict(r) for r in rows}


async def _draft(edition_id: int, data: PrizeRequest) -> Draft:
    round_id = await _round_of(edition_id, data.round_id)
    tiers = await tiers_of(edition_id)
    if not tiers:
        raise conflict("no_prize_tiers", "本届尚未设置奖项")
    side = review_side()
    notice = await side.notice_of(round_id)
    ranking = await side.ranking(round_id)
    if not ranking:
        raise conflict("round_not_ranked", "该轮次尚无排名结果")
    # Only what the public was shown can win: an entry missing from the 公示 list is not a candidate.
    listed = notice.listed if notice is not None else frozenset()
    candidates = [r for r in ranking if r.application_id in listed]
    entries = await _entries([r.application_id for r in candidates])
    ranked = [filling.Entry(r.application_id, r.rank, entries[r.application_id]["track_name"]) for r in candidates]
    places = [
        filling.Place(int(t["id"]), p["track"], int(p["count"]), int(p["amount_fen"]))
        for t in tiers
        for p in t["places"] or []
    ]
    decisions = {d.key: filling.Decision(frozenset(d.application_ids), d.reason) for d in data.tie_decisions}
    return Draft(round_id, notice, tiers, filling.fill(ranked, places, decisions), entries)


def _winner(draft: Draft, application_id: int, rank: int, amount_fen: int, reason: str = "") -> WinnerRead:
    entry = draft.entries[application_id]
    return WinnerRead(
        application_id=application_id,
        title=entry["title"],
        organisation_name=entry["organisation_name"],
        rank=rank,
        amount_fen=amount_fen,
        tie_reason=reason,
    )


def _preview(edition_id: int, draft: Draft, confirmed: bool) -> PrizePreview:
    names = {int(t["id"]): t["name"] for t in draft.tiers}
    undecided = {t.key for t in draft.result.undecided}
    tiers = [
        TierFillRead(
            tier_id=int(t["id"]),
            name=t["name"],
            track=p["track"],
            places=int(p["count"]),
            amount_fen=int(p["amount_fen"]),
            winners=[
                _winner(draft, w.application_id, w.rank, w.amount_fen, w.tie_reason)
                for w in draft.result.winners
                if w.tier_id == int(t["id"]) and w.track == p["track"]
            ],
        )
        for t in draft.tiers
        for p in t["places"] or []
    ]
    ties = [
        TieRead(
            key=tie.key,
            tier_id=tie.tier_id,
            tier_name=names[tie.tier_id],
            track=tie.track,
            rank=tie.rank,
            places=tie.places,
            candidates=[_winner(draft, a, tie.rank, 0) for a in tie.candidates],
            decided=tie.key not in undecided,
        )
        for tie in draft.result.ties
    ]
    notice_final = draft.notice is not None and draft.notice.final
    return PrizePreview(
        edition_id=edition_id,
        round_id=draft.round_id,
        notice_final=notice_final,
        tiers=tiers,
        ties=ties,
        invalid_decisions=draft.result.invalid,
        total_fen=sum(w.amount_fen for w in draft.result.winners),
        confirmable=notice_final and draft.result.settled and bool(draft.result.winners) and not confirmed,
        confirmed=confirmed,
    )


async def preview(principal: Principal, edition_id: int, data: PrizeRequest) -> PrizePreview:
    """Who would win what (officers in the edition's scope); changes nothing."""
    await load(principal, EDITIONS.table, edition_id, columns=EDITION_COLUMNS)
    confirmed = await PrizeConfirmation.exists().where(PrizeConfirmation.edition == edition_id)
    return _preview(edition_id, await _draft(edition_id, data), bool(confirmed))


def _ensure_confirmable(draft: Draft) -> None:
    if draft.notice is None or not draft.notice.final:
        raise conflict("notice_not_final", "决赛结果公示期满并生效后方可确定奖项")
    if draft.result.invalid:
        keys = "、".join(draft.result.invalid)
        raise invalid(
            "tie_decision_invalid", f"并列裁定与预览不符（{keys}）：须在并列者中选出恰好等于名额的项目", "tie_decisions"
        )
    if draft.result.undecided:
        keys = "、".join(t.key for t in draft.result.undecided)
        raise conflict("prize_tie_undecided", f"奖项名额线上有并列（{keys}），须先裁定并说明理由")
    if not draft.result.winners:
        raise conflict("no_winners", "没有可确定的获奖项目")


async def confirm(principal: Principal, edition_id: int, data: PrizeRequest) -> PrizeConfirmationRead:
    """Record the edition's prizes and award their money (officers in the edition's scope); repeatable."""
    async with unit_of_work(Actor.of(principal)) as uow:
        edition = await load(principal, EDITIONS.table, edition_id, columns=EDITION_COLUMNS, lock=True)
        if await PrizeConfirmation.exists().where(PrizeConfirmation.edition == edition_id):
            return await read_confirmation(edition_id)
        draft = await _draft(edition_id, data)
        _ensure_confirmable(draft)
        winners = draft.result.winners
        awarded = await Award.select(Award.application).where(
            Award.application.is_in([w.application_id for w in winners])
        )
        if awarded:
            ids = "、".join(str(r["application"]) for r in awarded)
            raise conflict("already_awarded", f"申报 {ids} 已有资助，不能再以奖项资助")
        scope = edition["scope_district"]
        rows = await PrizeConfirmation.insert(
            PrizeConfirmation(
                edition=edition_id,
                round=draft.round_id,
                tie_decisions=[d.model_dump() for d in data.tie_decisions],
                confirmed_by=principal.user_id,
                confirmed_at=now_utc(),
                scope_district=scope,
            )
        ).returning(PrizeConfirmation.id)
        confirmation_id = int(rows[0]["id"])
        lines = {int(t["id"]): t["budget_line"] for t in draft.tiers}
        names = {int(t["id"]): t["name"] for t in draft.tiers}
        for winner in winners:
            award_id = None
            if winner.amount_fen > 0:
                # The award service's own rules apply: the eligibility gate, the 公示 gate, the budget line's lock.
                award = await make_award(
                    principal,
                    AwardCreate(
                        application_id=winner.application_id,
                        budget_line_id=lines[winner.tier_id],
                        amount_fen=winner.amount_fen,
                        award_type=AwardType.reward,
                    ),
                )
                award_id = award.id
            entry = draft.entries[winner.application_id]
            await Prize.insert(
                Prize(
                    confirmation=confirmation_id,
                    tier=winner.tier_id,
                    application=winner.application_id,
                    organisation=entry["organisation"],
                    track_name=winner.track,
                    rank=winner.rank,
                    amount_fen=winner.amount_fen,
                    award=award_id,
                    tie_reason=winner.tie_reason,
                    verification_code=new_verification_code(),
                    scope_district=scope,
                )
            )
            await notify_organisations(
                [int(entry["organisation"])],
                "prize_awarded",
                "获奖通知",
                f"您单位的项目「{entry['title']}」获得{edition['title']}{names[winner.tier_id]}，获奖证书可在奖项详情中下载。",
                f"prize:{edition_id}:{winner.application_id}",
            )
        await uow.audit(
            "prizes.confirm",
            "edition",
            edition_id,
            after={
                "round_id": draft.round_id,
                "prizes": [[w.application_id, w.tier_id, w.amount_fen] for w in winners],
                "tie_decisions": [d.model_dump() for d in data.tie_decisions],
            },
        )
    return await read_confirmation(edition_id)
