"""区级推荐 use cases: quotas (city), the round list and the entries (district and city), recommending and
withdrawing (district). The city's forward is ``forward.py``.

A district's recommendations never exceed its quota: a recommendation locks the district's quota row (``FOR
UPDATE``) and counts the live ones under that lock; it also holds the round's row ``FOR SHARE``, which the forward
takes ``FOR UPDATE``, so no recommendation or withdrawal slips in beside a forward."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from app.access import load
from app.auth.principal import Principal
from app.errors import conflict, invalid
from app.paging import Page, PageParams, fetch_page, page_of
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.kinds import RoundStage
from programmes.recommendations.access import (
    RECOMMENDATIONS,
    district_of,
    ensure_district_officer,
    round_for_city,
    round_for_district,
)
from programmes.recommendations.schemas import (
    EntryRead,
    EntryShow,
    QuotaRead,
    QuotaWrite,
    RecommendationCreate,
    RecommendationRead,
    RecommendationRoundRead,
)
from programmes.recommendations.tables import DistrictQuota, Recommendation, RecommendationClosure
from programmes.tables import Application, Round
from programmes.workflows.recommendation import DISTRICT_RECOMMENDATION

LIVE = DISTRICT_RECOMMENDATION.states_with("live")


def as_read(row: dict[str, Any]) -> RecommendationRead:
    return RecommendationRead(
        id=row["id"],
        round_id=row["round"],
        application_id=row["application"],
        district=row["district"],
        reason=row["reason"],
        status=row["status"],
        status_zh=DISTRICT_RECOMMENDATION.states.get(row["status"], row["status"]),
        withdrawn_reason=row["withdrawn_reason"],
        carried_entry_id=row["carried_entry"],
        created_at=row["created_at"],
    )


async def read(recommendation_id: int) -> RecommendationRead:
    row = await Recommendation.select().where(Recommendation.id == recommendation_id).first()
    assert row is not None
    return as_read(dict(row))


async def closed(round_id: int) -> bool:
    return bool(await RecommendationClosure.exists().where(RecommendationClosure.round == round_id))


def _live(round_id: int) -> Combinable:
    return (Recommendation.round == round_id) & Recommendation.status.is_in(LIVE)


async def _lock_round_for_recommending(round_id: int) -> None:
    """Hold the round against a forward until this unit commits, then refuse if it has been forwarded."""
    await Round.select(Round.id).where(Round.id == round_id).lock_rows("SHARE")
    if await closed(round_id):
        raise conflict("recommendations_closed", "市级已推荐晋级，区级推荐已截止")


# ---- quotas (city) -------------------------------------------------------------------------------------------------


async def _counts(round_id: int, district: str | None = None) -> dict[str, tuple[int, int]]:
    """Per district: (live recommendations, entries submitted), two grouped queries."""
    where_rec: Combinable = _live(round_id)
    where_app: Combinable = (Application.round == round_id) & Application.submitted_at.is_not_null()
    if district is not None:
        where_rec = where_rec & (Recommendation.district == district)
        where_app = where_app & (Application.organisation_district == district)
    recommended = (
        await Recommendation.select(Recommendation.district, Count(alias="n"))
        .where(where_rec)
        .group_by(Recommendation.district)
    )
    entries = (
        await Application.select(Application.organisation_district, Count(alias="n"))
        .where(where_app)
        .group_by(Application.organisation_district)
    )
    found: dict[str, list[int]] = {}
    for row in recommended:
        found.setdefault(row["district"], [0, 0])[0] = int(row["n"])
    for row in entries:
        if row["organisation_district"] is not None:
            found.setdefault(row["organisation_district"], [0, 0])[1] = int(row["n"])
    return {key: (value[0], value[1]) for key, value in found.items()}


async def set_quota(principal: Principal, round_id: int, data: QuotaWrite) -> QuotaRead:
    """City staff set a district's places; never below what it has already recommended, never after the forward."""
    round_row = await round_for_city(principal, round_id)
    district = str(data.district)
    async with unit_of_work(Actor.of(principal)) as uow:
        await _lock_round_for_recommending(round_id)
        current = (
            await DistrictQuota.select()
            .where((DistrictQuota.round == round_id) & (DistrictQuota.district == district))
            .lock_rows("UPDATE")
        )
        used = await Recommendation.count().where(_live(round_id) & (Recommendation.district == district))
        if data.quota < used:
            raise invalid("quota_below_recommended", f"该区已推荐 {used} 个，名额不能少于已推荐数", "quota")
        now = now_utc()
        if current:
            await DistrictQuota.update(
                {
                    DistrictQuota.quota: data.quota,
                    DistrictQuota.set_by: principal.user_id,
                    DistrictQuota.updated_at: now,
                }
            ).where(DistrictQuota.id == current[0]["id"])
        else:
            await DistrictQuota.insert(
                DistrictQuota(
                    round=round_id,
                    district=district,
                    quota=data.quota,
                    set_by=principal.user_id,
                    scope_district=round_row["scope_district"],
                    updated_at=now,
                )
            )
        await uow.audit(
            "district_quota.set",
            "round",
            round_id,
            before={"district": district, "quota": current[0]["quota"]} if current else None,
            after={"district": district, "quota": data.quota},
        )
    return (await _quota_reads(round_id, district))[0]


async def _quota_reads(round_id: int, district: str | None) -> list[QuotaRead]:
    """Every district with a quota or an entry (city), or the caller's district alone, in the districts' order."""
    where: Combinable = DistrictQuota.round == round_id
    if district is not None:
        where = where & (DistrictQuota.district == district)
    quotas = {row["district"]: int(row["quota"]) for row in await DistrictQuota.select().where(where)}
    counts = await _counts(round_id, district)
    shown = [district] if district is not None else [d.value for d in District if d.value in quotas or d in counts]
    return [
        QuotaRead(
            round_id=round_id,
            district=d,
            district_zh=DISTRICT_NAMES_ZH[District(d)],
            quota=quotas.get(d, 0),
            recommended=counts.get(d, (0, 0))[0],
            entries=counts.get(d, (0, 0))[1],
        )
        for d in shown
    ]


async def list_quotas(principal: Principal, round_id: int, paging: PageParams) -> Page[QuotaRead]:
    """The counts per district: all districts for city staff, its own for a district officer (at most 16 rows)."""
    await round_for_district(principal, round_id, listing=True)
    return page_of(await _quota_reads(round_id, district_of(principal)), paging)


# ---- what a district officer sees ----------------------------------------------------------------------------------


async def list_rounds(principal: Principal, paging: PageParams) -> Page[RecommendationRoundRead]:
    """City-level rounds at the 区级推荐 stage, newest first, with the caller's district's quota and count."""
    query = Round.select(Round.id, Round.name, Round.status, Round.closes_at).order_by(Round.id, ascending=False)
    page = await fetch_page(
        Round, query, paging, Round.stage == RoundStage.district_recommendation, Round.scope_district.is_null()
    )
    ids = [int(r["id"]) for r in page.items] or [0]
    district = district_of(principal)
    rec_where: Combinable = Recommendation.round.is_in(ids) & Recommendation.status.is_in(LIVE)
    quota_where: Combinable = DistrictQuota.round.is_in(ids)
    if district is not None:
        rec_where = rec_where & (Recommendation.district == district)
        quota_where = quota_where & (DistrictQuota.district == district)
    recommended = {
        int(r["round"]): int(r["n"])
        for r in await Recommendation.select(Recommendation.round, Count(alias="n"))
        .where(rec_where)
        .group_by(Recommendation.round)
    }
    quotas = {int(r["round"]): int(r["quota"]) for r in await DistrictQuota.select().where(quota_where)}
    forwarded = {
        int(r["round"])
        for r in await RecommendationClosure.select(RecommendationClosure.round).where(
            RecommendationClosure.round.is_in(ids)
        )
    }
    return page.map(
        [
            RecommendationRoundRead(
                round_id=r["id"],
                name=r["name"],
                status=r["status"],
                closes_at=r["closes_at"],
                quota=quotas.get(int(r["id"]), 0) if district is not None else None,
                recommended=recommended.get(int(r["id"]), 0),
                forwarded=int(r["id"]) in forwarded,
            )
            for r in page.items
        ]
    )


async def list_entries(principal: Principal, round_id: int, show: EntryShow, paging: PageParams) -> Page[EntryRead]:
    """A district officer: its district's entries (submitted at least once). City staff: the recommended entries
    (``show=all``: every entry)."""
    await round_for_district(principal, round_id, listing=True)
    district = district_of(principal)
    where = [Application.round == round_id, Application.submitted_at.is_not_null()]
    if district is not None:
        where.append(Application.organisation_district == district)
    elif show == "recommended":
        live = await Recommendation.select(Recommendation.application).where(_live(round_id))
        where.append(Application.id.is_in([int(r["application"]) for r in live] or [0]))
    query = Application.select(
        Application.id,
        Application.title,
        Application.organisation,
        Application.organisation._.name.as_alias("organisation_name"),
        Application.organisation_district,
        Application.status,
        Application.submitted_at,
    ).order_by(Application.id)
    page = await fetch_page(Application, query, paging, *where)
    ids = [int(r["id"]) for r in page.items] or [0]
    latest: dict[int, dict[str, Any]] = {}
    for row in await Recommendation.select().where(Recommendation.application.is_in(ids)).order_by(Recommendation.id):
        known = latest.get(int(row["application"]))
        if known is None or known["status"] not in LIVE:  # the live one if any, else the latest
            latest[int(row["application"])] = dict(row)
    workflow = await repository.round_workflow(round_id)
    return page.map(
        [
            EntryRead(
                application_id=r["id"],
                title=r["title"],
                organisation_id=r["organisation"],
                organisation_name=r["organisation_name"],
                organisation_district=r["organisation_district"],
                status=r["status"],
                status_zh=workflow.states.get(r["status"], r["status"]),
                submitted_at=r["submitted_at"],
                recommendation=as_read(latest[int(r["id"])]) if int(r["id"]) in latest else None,
            )
            for r in page.items
        ]
    )


# ---- recommending (district) ---------------------------------------------------------------------------------------


async def _entry_of_district(round_id: int, application_id: int, district: str) -> dict[str, Any]:
    row = (
        await Application.select(Application.id, Application.status, Application.scope_district)
        .where(
            (Application.id == application_id)
            & (Application.round == round_id)
            & (Application.organisation_district == district)
            & Application.submitted_at.is_not_null()
        )
        .first()
    )
    if row is None:  # another district's entry is as missing as a made-up id
        raise invalid("entry_not_found", "该轮次中没有本区的这个申报", "application_id")
    return dict(row)


async def recommend(principal: Principal, round_id: int, data: RecommendationCreate) -> RecommendationRead:
    district = ensure_district_officer(principal)
    round_row = await round_for_district(principal, round_id)
    await _entry_of_district(round_id, data.application_id, district)
    workflow = await repository.round_workflow(round_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        await _lock_round_for_recommending(round_id)
        quota = (
            await DistrictQuota.select(DistrictQuota.quota)
            .where((DistrictQuota.round == round_id) & (DistrictQuota.district == district))
            .lock_rows("UPDATE")
        )
        if not quota or int(quota[0]["quota"]) == 0:
            raise conflict("no_district_quota", "本区在该轮次没有推荐名额")
        entry = await repository.lock(data.application_id)
        if not workflow.permits(entry["status"], "forward", principal.role.value)[0]:
            raise conflict("entry_not_recommendable", "该申报当前状态不能推荐")
        if await Recommendation.exists().where(
            (Recommendation.application == data.application_id) & Recommendation.status.is_in(LIVE)
        ):
            raise conflict("already_recommended", "该申报已被推荐")
        places = int(quota[0]["quota"])
        if await Recommendation.count().where(_live(round_id) & (Recommendation.district == district)) >= places:
            raise conflict("district_quota_full", f"本区推荐名额已满（{places} 个）")
        try:
            created = await Recommendation.insert(
                Recommendation(
                    round=round_id,
                    application=data.application_id,
                    district=district,
                    reason=data.reason,
                    status=DISTRICT_RECOMMENDATION.initial,
                    recommended_by=principal.user_id,
                    scope_district=round_row["scope_district"],
                    created_at=now_utc(),
                )
            ).returning(Recommendation.id)
        except UniqueViolationError as exc:  # the partial unique index under the lock above
            raise conflict("already_recommended", "该申报已被推荐") from exc
        recommendation_id = int(created[0]["id"])
        await uow.audit(
            "district_recommendation.recommend",
            "application",
            data.application_id,
            after={"recommendation": recommendation_id, "district": district, "round": round_id},
            reason=data.reason,
        )
    return await read(recommendation_id)


async def withdraw(principal: Principal, recommendation_id: int, reason: str) -> RecommendationRead:
    ensure_district_officer(principal)
    row = await load(principal, Recommendation, recommendation_id, "district")
    async with unit_of_work(Actor.of(principal)) as uow:
        await _lock_round_for_recommending(row["round"])
        await uow.transition(
            Recommendation, recommendation_id, "withdraw", values={"withdrawn_reason": reason}, reason=reason
        )
    return await read(recommendation_id)


assert RECOMMENDATIONS  # the policy is declared on import
