"""Resource partners and their offers, recorded by officers (partners are not accounts). A district officer's
rows are its district's; city staff's are the city's. Lists are paged, stable (by id) and scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from app.access import load, staff_filter
from app.auth.principal import Principal
from app.paging import Page, PageParams, fetch_page
from app.timezone import today_shanghai
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.resources.access import OFFERS, PARTNERS
from programmes.resources.kinds import OfferKind, PartnerKind
from programmes.resources.schemas import (
    ResourceOfferCreate,
    ResourceOfferRead,
    ResourcePartnerCreate,
    ResourcePartnerRead,
)
from programmes.resources.tables import ResourceOffer, ResourcePartner


async def create_partner(principal: Principal, data: ResourcePartnerCreate) -> ResourcePartnerRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await ResourcePartner.insert(
            ResourcePartner(
                name=data.name,
                kind=data.kind,
                description=data.description,
                created_by=principal.user_id,
                scope_district=principal.district,
            )
        ).returning(ResourcePartner.id)
        partner_id = int(rows[0]["id"])
        await uow.audit("resource_partner.create", "resource_partner", partner_id, after=data.model_dump())
    return (await _partners([partner_id]))[0]


async def _partners(ids: list[int]) -> list[ResourcePartnerRead]:
    if not ids:
        return []
    rows = await ResourcePartner.select().where(ResourcePartner.id.is_in(ids)).order_by(ResourcePartner.id)
    counts = {
        int(r["partner"]): int(r["n"])
        for r in await ResourceOffer.select(ResourceOffer.partner, Count(alias="n"))
        .where(ResourceOffer.partner.is_in(ids))
        .group_by(ResourceOffer.partner)
    }
    return [ResourcePartnerRead(**dict(r), offers=counts.get(int(r["id"]), 0)) for r in rows]


async def list_partners(
    principal: Principal, params: PageParams, kind: PartnerKind | None
) -> Page[ResourcePartnerRead]:
    where = [*staff_filter(principal, ResourcePartner.scope_district)]
    if kind is not None:
        where.append(ResourcePartner.kind == kind)
    page = await fetch_page(ResourcePartner, ResourcePartner.select().order_by(ResourcePartner.id), params, *where)
    return page.map(await _partners([int(r["id"]) for r in page.items]))


async def publish_offer(principal: Principal, partner_id: int, data: ResourceOfferCreate) -> ResourceOfferRead:
    """An offer of a partner in scope; it carries the partner's scope."""
    async with unit_of_work(Actor.of(principal)) as uow:
        partner = await load(principal, PARTNERS.table, partner_id, columns=(ResourcePartner.scope_district,))
        rows = await ResourceOffer.insert(
            ResourceOffer(
                partner=partner_id,
                kind=data.kind,
                title=data.title,
                description=data.description,
                valid_from=data.valid_from,
                valid_until=data.valid_until,
                scope_district=partner["scope_district"],
            )
        ).returning(ResourceOffer.id)
        offer_id = int(rows[0]["id"])
        await uow.audit("resource_offer.publish", "resource_offer", offer_id, after=data.model_dump(mode="json"))
    return await read_offer(offer_id)


def is_current(row: dict[str, Any], today: date) -> bool:
    return bool(row["valid_from"] <= today <= row["valid_until"])


OFFER_COLUMNS = (*ResourceOffer.all_columns(), ResourceOffer.partner.name.as_alias("partner_name"))


def _offer_read(row: dict[str, Any], today: date) -> ResourceOfferRead:
    return ResourceOfferRead(
        id=row["id"],
        partner_id=row["partner"],
        partner_name=row["partner_name"],
        kind=row["kind"],
        title=row["title"],
        description=row["description"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        current=is_current(row, today),
        scope_district=row["scope_district"],
    )


async def read_offer(offer_id: int) -> ResourceOfferRead:
    row = await ResourceOffer.select(*OFFER_COLUMNS).where(ResourceOffer.id == offer_id).first()
    assert row is not None  # callers loaded it
    return _offer_read(dict(row), today_shanghai())


async def offer_for(principal: Principal, offer_id: int) -> ResourceOfferRead:
    await load(principal, OFFERS.table, offer_id, columns=(ResourceOffer.scope_district,))
    return await read_offer(offer_id)


async def list_offers(
    principal: Principal,
    params: PageParams,
    *,
    kind: OfferKind | None = None,
    partner_id: int | None = None,
    current: bool | None = None,
) -> Page[ResourceOfferRead]:
    today = today_shanghai()
    where = [*staff_filter(principal, ResourceOffer.scope_district)]
    if kind is not None:
        where.append(ResourceOffer.kind == kind)
    if partner_id is not None:
        where.append(ResourceOffer.partner == partner_id)
    if current is True:
        where.extend([ResourceOffer.valid_from <= today, ResourceOffer.valid_until >= today])
    elif current is False:
        where.append((ResourceOffer.valid_from > today) | (ResourceOffer.valid_until < today))
    query = ResourceOffer.select(*OFFER_COLUMNS).order_by(ResourceOffer.id)
    page = await fetch_page(ResourceOffer, query, params, *where)
    return page.map([_offer_read(row, today) for row in page.items])
