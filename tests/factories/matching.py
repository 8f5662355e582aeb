"""聚力计划 builders: a community with its account, a demand and an offer in a given state.

Rows are inserted directly in the state a test needs (fixtures, like the other builders); the behaviour under test
goes through the services and the API.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.matching.tables import Community, CommunityLevel, CommunityMember, Demand, DemandField, ServiceOffer
from tests import factories
from tests.factories import User

_serial = count(1)


async def community(
    district: District = District.changning, street: str | None = None, level: CommunityLevel = CommunityLevel.street
) -> tuple[int, User]:
    """A community (街道 by default) and one account of role ``community`` that belongs to it."""
    n = next(_serial)
    street = street or f"测试街道{n}"
    rows = await Community.insert(
        Community(
            name=f"{street}{'办事处' if level is CommunityLevel.street else '居委会'}",
            level=level,
            district=district,
            street=street,
            scope_district=district,
        )
    ).returning(Community.id)
    account = await factories.user(Role.community, username=f"matching_community{n}")
    await CommunityMember.insert(CommunityMember(community=rows[0]["id"], user=account.principal.user_id))
    return int(rows[0]["id"]), account


async def demand(community_id: int, *, status: str = "published", **values: Any) -> int:
    """A demand of ``community_id`` (its district and street), published unless told otherwise."""
    place = await Community.select(Community.district, Community.street).where(Community.id == community_id).first()
    assert place is not None
    today = now_utc().date()
    row: dict[str, Any] = {
        "community": community_id,
        "field": DemandField.governance,
        "tags": ["elderly"],
        "title": "老年人智能手机培训",
        "description": "每周一次，教老年人使用智能手机就医、出行。",
        "district": place["district"],
        "street": place["street"],
        "beneficiary_group": "社区老年人",
        "expected_beneficiaries": 40,
        "period_start": today,
        "period_end": today + timedelta(days=90),
        "providers_wanted": 1,
        "status": status,
        "scope_district": place["district"],
        "created_at": now_utc(),
        "updated_at": now_utc(),
        **values,
    }
    rows = await Demand.insert(Demand(**row)).returning(Demand.id)
    return int(rows[0]["id"])


async def offer(organisation_id: int, *, status: str = "approved", **values: Any) -> int:
    """An offer of ``organisation_id``, approved unless told otherwise."""
    from app.organisations.tables import Organisation

    org = await Organisation.select(Organisation.district).where(Organisation.id == organisation_id).first()
    assert org is not None
    row: dict[str, Any] = {
        "organisation": organisation_id,
        "field": DemandField.governance,
        "tags": ["elderly"],
        "title": "银龄数字课堂",
        "description": "志愿者一对一辅导老年人使用智能手机。",
        "districts_served": [org["district"]],
        "capacity": 2,
        "status": status,
        "scope_district": org["district"],
        "created_at": now_utc(),
        "updated_at": now_utc(),
        **values,
    }
    rows = await ServiceOffer.insert(ServiceOffer(**row)).returning(ServiceOffer.id)
    return int(rows[0]["id"])


def a_period(days: int = 90) -> tuple[date, date]:
    today = now_utc().date()
    return today, today + timedelta(days=days)
