"""Winners read their own resource introductions (链接资源对接): the members of a prize-winning organisation list the
offers they were introduced to, with the partner, the status of the follow-up and its notes. Only their own
organisations' rows (``acting_organisation_ids``); the list is one query per page (the offer and partner joined)."""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.organisations.membership import acting_organisation_ids
from app.paging import Page, PageParams, fetch_page
from programmes.resources.schemas import IntroductionRead, WinnerIntroductionRead, WinnerOfferRead
from programmes.resources.tables import ResourceIntroduction
from programmes.workflows.resources import INTRODUCTION, IntroductionStatus

OFFER = ResourceIntroduction.offer
PRIZE = ResourceIntroduction.prize
COLUMNS = (
    ResourceIntroduction.id,
    ResourceIntroduction.status,
    ResourceIntroduction.notes,
    ResourceIntroduction.created_at,
    ResourceIntroduction.prize,
    OFFER._.id.as_alias("offer_id"),
    OFFER._.kind.as_alias("offer_kind"),
    OFFER._.title.as_alias("offer_title"),
    OFFER._.description.as_alias("offer_description"),
    OFFER._.valid_from.as_alias("valid_from"),
    OFFER._.valid_until.as_alias("valid_until"),
    OFFER._.partner._.name.as_alias("partner_name"),
    OFFER._.partner._.kind.as_alias("partner_kind"),
    PRIZE._.tier._.name.as_alias("tier_name"),
    PRIZE._.organisation.as_alias("organisation_id"),
    PRIZE._.application._.title.as_alias("project_title"),
)


def _read(row: dict[str, Any]) -> WinnerIntroductionRead:
    return WinnerIntroductionRead(
        id=row["id"],
        offer=WinnerOfferRead(
            id=row["offer_id"],
            kind=row["offer_kind"],
            title=row["offer_title"],
            description=row["offer_description"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            partner_name=row["partner_name"],
            partner_kind=row["partner_kind"],
        ),
        prize_id=row["prize"],
        tier_name=row["tier_name"],
        organisation_id=row["organisation_id"],
        project_title=row["project_title"],
        status=row["status"],
        status_zh=INTRODUCTION.states[row["status"]],
        notes=IntroductionRead.notes_of(row["notes"]),
        created_at=row["created_at"],
    )


async def my_introductions(
    principal: Principal, params: PageParams, status: IntroductionStatus | None = None
) -> Page[WinnerIntroductionRead]:
    """The caller's organisations' introductions, oldest first; none when the caller acts for no organisation."""
    organisations = await acting_organisation_ids(principal.user_id)
    where = [PRIZE._.organisation.is_in(organisations or [0])]
    if status is not None:
        where.append(ResourceIntroduction.status == status)
    query = ResourceIntroduction.select(*COLUMNS).order_by(ResourceIntroduction.id).output(load_json=True)
    page = await fetch_page(ResourceIntroduction, query, params, *where)
    return page.map([_read(dict(row)) for row in page.items])
