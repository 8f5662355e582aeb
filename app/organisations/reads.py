"""The registry's read shape: organisations as ``OrganisationRead``, one at a time or a whole page in two queries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from piccolo.custom_types import Combinable

from app.errors import not_found
from app.organisations.schemas import FactVerificationRead, OrganisationRead
from app.organisations.tables import Organisation, OrganisationFactVerification
from app.paging import Page, PageParams, fetch_page

_V = OrganisationFactVerification


async def _verifications(organisation_ids: list[int]) -> dict[int, list[FactVerificationRead]]:
    """Each organisation's verified facts, for all of them in one query."""
    found: dict[int, list[FactVerificationRead]] = defaultdict(list)
    if not organisation_ids:
        return found
    rows = (
        await _V.select(_V.organisation, _V.fact, _V.value, _V.source, _V.verified_by, _V.verified_at, _V.reference)
        .where(_V.organisation.is_in(organisation_ids))
        .order_by(_V.fact)
    )
    for row in rows:
        found[int(row.pop("organisation"))].append(FactVerificationRead(**row))
    return found


def _shown(row: dict[str, Any], verifications: list[FactVerificationRead]) -> OrganisationRead:
    return OrganisationRead(**{**row, "custodian_id": row["custodian"]}, verifications=verifications)


async def read(organisation_id: int) -> OrganisationRead:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None:
        raise not_found("社会组织")
    return _shown(row, (await _verifications([organisation_id]))[organisation_id])


async def read_page(params: PageParams, *where: Combinable) -> Page[OrganisationRead]:
    """The organisations matching ``where``, in id order: three queries whatever the page size."""
    page = await fetch_page(Organisation, Organisation.select().order_by(Organisation.id), params, *where)
    verifications = await _verifications([int(row["id"]) for row in page.items])
    return page.map([_shown(row, verifications[int(row["id"])]) for row in page.items])
