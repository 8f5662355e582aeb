"""Reading prizes: an edition's confirmation with its prizes, one prize, and an edition's prizes as a page (the
related rows — tiers, applications, organisations — read for the whole page at once)."""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import not_found
from app.paging import Page, PageParams, fetch_page
from programmes.catalogue.access import EDITIONS
from programmes.prizes.access import PRIZES
from programmes.prizes.schemas import PrizeConfirmationRead, PrizeRead
from programmes.prizes.tables import Prize, PrizeConfirmation
from programmes.tables import Edition

PRIZE_COLUMNS = (
    *Prize.all_columns(),
    Prize.confirmation.edition.as_alias("edition_id"),
    Prize.tier.name.as_alias("tier_name"),
    Prize.tier.position.as_alias("tier_position"),
    Prize.application.title.as_alias("title"),
    Prize.organisation.name.as_alias("organisation_name"),
)


def prize_read(row: dict[str, Any]) -> PrizeRead:
    return PrizeRead(
        id=row["id"],
        edition_id=row["edition_id"],
        tier_id=row["tier"],
        tier_name=row["tier_name"],
        application_id=row["application"],
        title=row["title"],
        organisation_id=row["organisation"],
        organisation_name=row["organisation_name"],
        track=row["track_name"],
        rank=row["rank"],
        amount_fen=row["amount_fen"],
        award_id=row["award"],
        tie_reason=row["tie_reason"],
        verification_code=row["verification_code"],
        certificate_url=f"/prizes/{row['id']}/certificate.pdf",
        created_at=row["created_at"],
    )


def _ordered() -> Any:
    return Prize.select(*PRIZE_COLUMNS).order_by(Prize.tier.position).order_by(Prize.rank).order_by(Prize.id)


async def read_confirmation(edition_id: int) -> PrizeConfirmationRead:
    row = await PrizeConfirmation.select().where(PrizeConfirmation.edition == edition_id).first()
    if row is None:
        raise not_found("奖项确定")
    prizes = [prize_read(dict(r)) for r in await _ordered().where(Prize.confirmation == row["id"])]
    return PrizeConfirmationRead(
        id=row["id"],
        edition_id=edition_id,
        round_id=row["round"],
        confirmed_at=row["confirmed_at"],
        prizes=prizes,
        awards=sum(1 for p in prizes if p.award_id is not None),
    )


async def confirmation_for(principal: Principal, edition_id: int) -> PrizeConfirmationRead:
    await load(principal, EDITIONS.table, edition_id, columns=(Edition.id, Edition.scope_district))
    return await read_confirmation(edition_id)


async def list_prizes(principal: Principal, edition_id: int, params: PageParams) -> Page[PrizeRead]:
    await load(principal, EDITIONS.table, edition_id, columns=(Edition.id, Edition.scope_district))
    page = await fetch_page(Prize, _ordered(), params, Prize.confirmation.edition == edition_id)
    return page.map([prize_read(row) for row in page.items])


async def read_prize(prize_id: int) -> PrizeRead:
    row = await _ordered().where(Prize.id == prize_id).first()
    if row is None:
        raise not_found("奖项")
    return prize_read(dict(row))


async def prize_for(principal: Principal, prize_id: int) -> PrizeRead:
    """A prize for its organisation's members or staff in scope."""
    await load(principal, PRIZES.table, prize_id, "party", columns=(Prize.organisation, Prize.scope_district))
    return await read_prize(prize_id)
