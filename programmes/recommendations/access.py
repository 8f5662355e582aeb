"""Who reaches what in 区级推荐.

A city-level programme is invisible to district officers (ADR 0002) except for this: while a round of it is at the
``district_recommendation`` stage, an officer of district D may read (never change) the entries of D's organisations
in that round — the entry, its submitted answers, its files and its timeline — through the applications room's
``reader`` rule, which asks ``sees_as_recommending_district``. Nothing else of the programme opens up: the round,
its other entries, reviews and money stay the uniform 404.

- ``QUOTAS`` / ``CLOSURES``: staff in the row's scope (the round's: NULL, so city staff);
- ``RECOMMENDATIONS``: ``staff`` as above; ``district``: the officers of the recommending district.
"""

from __future__ import annotations

from typing import Any

from app.access import Row, load, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import conflict, forbidden, not_found
from programmes.kinds import RoundStage
from programmes.recommendations.tables import DistrictQuota, Recommendation, RecommendationClosure
from programmes.tables import Application, Round


def district_of(principal: Principal) -> str | None:
    """The district a district officer works for; None for everyone else."""
    return principal.district if principal.role is Role.officer else None


async def sees_as_recommending_district(principal: Principal, row: Row) -> tuple[bool, str]:
    """An entry (submitted at least once) of the officer's district in a city-level round at the recommendation
    stage. ``row`` is an application row, possibly narrowed, so the deciding columns are read here."""
    district = district_of(principal)
    if district is None:
        return False, "not_district_officer"
    found = (
        await Application.select(
            Application.organisation_district,
            Application.scope_district,
            Application.submitted_at,
            Application.round._.stage.as_alias("stage"),
        )
        .where(Application.id == row["id"])
        .first()
    )
    if found is None or found["scope_district"] is not None or found["stage"] != RoundStage.district_recommendation:
        return False, "not_a_recommendation_round"
    if found["organisation_district"] != district or found["submitted_at"] is None:
        return False, "other_district"
    return True, "ok"


async def _recommending_district(principal: Principal, row: Row) -> tuple[bool, str]:
    if district_of(principal) == row["district"]:
        return True, "ok"
    return False, "other_district"


QUOTAS = protect(DistrictQuota, "推荐名额")
RECOMMENDATIONS = protect(Recommendation, "区级推荐", rules={"district": _recommending_district})
CLOSURES = protect(RecommendationClosure, "推荐晋级记录")

_ROUND_COLUMNS = (
    Round.id,
    Round.name,
    Round.status,
    Round.closes_at,
    Round.scope_district,
    Round.stage,
    Round.edition,
)


def ensure_recommendation_round(row: Row) -> None:
    if row["stage"] != RoundStage.district_recommendation:
        raise conflict("round_not_district_recommendation", "该轮次不是区级推荐阶段")
    if row["scope_district"] is not None:
        raise conflict("round_not_city_level", "区级推荐只用于市级项目的轮次")


async def round_for_city(principal: Principal, round_id: int) -> dict[str, Any]:
    """A recommendation round for city staff (quotas, the recommended list, the forward); 404 for anyone else."""
    row = await load(principal, Round, round_id, columns=_ROUND_COLUMNS)
    ensure_recommendation_round(row)
    return row


async def round_for_district(principal: Principal, round_id: int, *, listing: bool = False) -> dict[str, Any]:
    """A recommendation round as a district officer reaches it: only a city-level round at that stage exists for
    them (the uniform 404 otherwise); city staff reach it as usual. ``listing``: city staff may list any round in
    scope (one at another stage simply has no quotas and no recommendations)."""
    if principal.is_city_staff:
        if listing:
            return await load(principal, Round, round_id, columns=_ROUND_COLUMNS)
        return await round_for_city(principal, round_id)
    row = await Round.select(*_ROUND_COLUMNS).where(Round.id == round_id).first()
    if (
        row is None
        or district_of(principal) is None
        or row["stage"] != RoundStage.district_recommendation
        or row["scope_district"] is not None
    ):
        raise not_found("轮次")
    return dict(row)


def ensure_district_officer(principal: Principal) -> str:
    district = district_of(principal)
    if district is None:
        raise forbidden("只有区级官员可以推荐本区申报", "district_officers_only")
    return district
