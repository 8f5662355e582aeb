"""Introducing a prize winner to an offer (one introduction per pair: a unique index) and recording the follow-up
through the introduction's workflow; every step's note is kept, oldest first."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load, staff_filter
from app.auth.principal import Principal
from app.errors import conflict
from app.notifications.service import notify_organisations
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc, today_shanghai
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.prizes.access import PRIZES
from programmes.prizes.tables import Prize
from programmes.resources.access import INTRODUCTIONS, OFFERS
from programmes.resources.schemas import IntroductionCreate, IntroductionRead
from programmes.resources.service import is_current
from programmes.resources.tables import ResourceIntroduction, ResourceOffer
from programmes.workflows.resources import INTRODUCTION, IntroductionStatus

COLUMNS = (
    *ResourceIntroduction.all_columns(),
    ResourceIntroduction.offer.title.as_alias("offer_title"),
    ResourceIntroduction.prize._.organisation._.name.as_alias("organisation_name"),
    ResourceIntroduction.prize._.application._.title.as_alias("project_title"),
)


def _note(principal: Principal, action: str, note: str) -> dict[str, Any]:
    return {"at": now_utc().isoformat(), "by": principal.user_id, "action": action, "note": note}


def _read(row: dict[str, Any]) -> IntroductionRead:
    return IntroductionRead(
        id=row["id"],
        offer_id=row["offer"],
        offer_title=row["offer_title"],
        prize_id=row["prize"],
        organisation_name=row["organisation_name"],
        project_title=row["project_title"],
        status=row["status"],
        status_zh=INTRODUCTION.states[row["status"]],
        notes=IntroductionRead.notes_of(row["notes"]),
        created_at=row["created_at"],
    )


async def read_introduction(introduction_id: int) -> IntroductionRead:
    row = (
        await ResourceIntroduction.select(*COLUMNS)
        .where(ResourceIntroduction.id == introduction_id)
        .output(load_json=True)
        .first()
    )
    assert row is not None  # callers loaded it
    return _read(dict(row))


async def introduce(principal: Principal, offer_id: int, data: IntroductionCreate) -> IntroductionRead:
    """Officers who can see both the offer and the prize introduce the winner to a current offer."""
    offer = await load(
        principal,
        OFFERS.table,
        offer_id,
        columns=(ResourceOffer.scope_district, ResourceOffer.valid_from, ResourceOffer.valid_until),
    )
    if not is_current(offer, today_shanghai()):
        raise conflict("offer_not_current", "该资源不在有效期内，不能对接")
    prize = await load(
        principal,
        PRIZES.table,
        data.prize_id,
        columns=(Prize.scope_district, Prize.organisation, Prize.application.title),
    )
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            rows = await ResourceIntroduction.insert(
                ResourceIntroduction(
                    offer=offer_id,
                    prize=data.prize_id,
                    status=INTRODUCTION.initial,
                    notes=[_note(principal, "introduce", data.note)],
                    introduced_by=principal.user_id,
                    scope_district=prize["scope_district"],
                )
            ).returning(ResourceIntroduction.id)
            introduction_id = int(rows[0]["id"])
            await notify_organisations(
                [int(prize["organisation"])],
                "resource_introduction",
                "资源对接引荐",
                f"项目官员已为您单位的获奖项目「{prize['application.title']}」引荐一项资源，对方将与您联系。",
                f"resource_introduction:{introduction_id}",
            )
            await uow.audit(
                "resource_introduction.create",
                "resource_introduction",
                introduction_id,
                after={"offer_id": offer_id, "prize_id": data.prize_id},
            )
    except UniqueViolationError as exc:
        raise conflict("already_introduced", "该获奖项目已对接过此资源") from exc
    return await read_introduction(introduction_id)


async def follow_up(principal: Principal, introduction_id: int, action: str, note: str) -> IntroductionRead:
    """One step of the follow-up (contact / agree / decline / complete), its note appended under the row's lock."""
    async with unit_of_work(Actor.of(principal)) as uow:
        row = await load(
            principal,
            INTRODUCTIONS.table,
            introduction_id,
            columns=(ResourceIntroduction.scope_district, ResourceIntroduction.notes),
            lock=True,
            load_json=True,
        )
        notes = [*(row["notes"] or []), _note(principal, action, note)]
        await uow.transition(ResourceIntroduction, introduction_id, action, values={"notes": notes}, reason=note)
    return await read_introduction(introduction_id)


async def list_introductions(
    principal: Principal,
    params: PageParams,
    *,
    status: IntroductionStatus | None = None,
    offer_id: int | None = None,
    prize_id: int | None = None,
) -> Page[IntroductionRead]:
    where = [*staff_filter(principal, ResourceIntroduction.scope_district)]
    if status is not None:
        where.append(ResourceIntroduction.status == status)
    if offer_id is not None:
        where.append(ResourceIntroduction.offer == offer_id)
    if prize_id is not None:
        where.append(ResourceIntroduction.prize == prize_id)
    query = ResourceIntroduction.select(*COLUMNS).order_by(ResourceIntroduction.id).output(load_json=True)
    page = await fetch_page(ResourceIntroduction, query, params, *where)
    return page.map([_read(row) for row in page.items])
