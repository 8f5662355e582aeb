"""Where an organisation is, for the registration form: the district's streets (街镇) and its street service centres
(街镇社会组织服务中心, the custodians a filed group chooses from), read through the service of GET /service-centres."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.organisations import custody
from app.organisations.schemas import ServiceCentreRead
from app.paging import MAX_LIMIT, PageParams
from app.reference import DISTRICT_NAMES_ZH, STREETS_ZH, District

# A district has one centre per street at most (a unique index), and no district has 200 streets.
_ALL_OF_A_DISTRICT = PageParams(limit=MAX_LIMIT)


@dataclass(frozen=True)
class Places:
    """The pick-lists for one district (empty when none is chosen yet)."""

    streets: list[str]
    centres: list[ServiceCentreRead]

    def centres_in(self, street: str) -> list[ServiceCentreRead]:
        """The centres a filed group of ``street`` may choose; every centre of the district while no street is set."""
        return [c for c in self.centres if c.street == street] if street else self.centres


def district_of(value: str) -> District | None:
    try:
        return District(value) if value else None
    except ValueError:
        return None


async def places(district: District | None) -> Places:
    if district is None:
        return Places([], [])
    centres = (await custody.service_centres(district, None, _ALL_OF_A_DISTRICT)).items
    return Places(streets_with(STREETS_ZH[district], centres), centres)


def streets_with(streets: Sequence[str], centres: Sequence[ServiceCentreRead]) -> list[str]:
    """The reference list, then any street an officer designated a centre for that the list does not name."""
    known = list(streets)
    return known + sorted({c.street for c in centres} - set(known))


def district_choices() -> list[tuple[str, str]]:
    return [(d.value, name) for d, name in DISTRICT_NAMES_ZH.items()]


def streets_by_district() -> dict[str, list[str]]:
    """Every district's reference streets, for the page's script to refill the street list without a request."""
    return {d.value: list(streets) for d, streets in STREETS_ZH.items()}
