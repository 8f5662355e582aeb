"""Which part of the expert pool (评估专家库) a caller may keep: district officers only their district's share.

- An **organisation** is in a district officer's scope when it is registered in their district — the rule
  ``organisations.service.read_for`` and the admin's organisation list already apply.
- A recorded **conflict of interest** is in scope when its organisation is: the conflict protects that organisation's
  applications, so the organisation's district keeps it (records and revokes it), whoever recorded it.
- An **expert** is in scope by the district of their profile. A city expert (profile without a district, or no
  profile yet) is kept by city staff only; a district officer's writes keep the expert in their district.

City staff (admins, officers without a district) see everything. Out of scope answers exactly like a missing id, so
another district's ids do not leak their existence (ADR 0002).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.auth.principal import Principal
from app.errors import DomainError, FieldError, not_found
from app.organisations.tables import Organisation
from app.reference import District
from scoring.tables import ExpertProfile


async def organisation_districts(ids: Iterable[int]) -> dict[int, str]:
    """Organisation id → its district, for the ids that exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.district).where(Organisation.id.is_in(wanted))
    return {r["id"]: r["district"] for r in rows}


def organisations_not_found(ids: Iterable[int], field: str = "organisation_id") -> DomainError:
    """The one answer for body ids that are missing *or* out of scope (no existence oracle)."""
    message = f"社会组织不存在：{', '.join(map(str, sorted(ids)))}"
    return DomainError("organisation_not_found", message, 422, [FieldError(field, "not_found", message)])


async def ensure_organisations_in_scope(principal: Principal, ids: Iterable[int]) -> None:
    wanted = set(ids)
    districts = await organisation_districts(wanted)
    hidden = {i for i in wanted if i not in districts or not principal.can_see_district(districts[i])}
    if hidden:
        raise organisations_not_found(hidden)


async def expert_scope(expert_id: int) -> str | None:
    """The district that keeps this expert; None = a city expert (also when no profile exists yet)."""
    row = await ExpertProfile.select(ExpertProfile.district).where(ExpertProfile.expert == expert_id).first()
    return row["district"] if row else None


async def ensure_expert_in_scope(principal: Principal, expert_id: int) -> None:
    if not principal.can_see_district(await expert_scope(expert_id)):
        raise not_found("评审专家")


def district_for_expert(principal: Principal, requested: District | None) -> District | None:
    """The district an expert's profile may be given: any by city staff; a district officer keeps their own."""
    if principal.is_city_staff:
        return requested
    if principal.district is not None and requested in (None, principal.district):
        return District(principal.district)
    raise DomainError("scope_forbidden", "区级项目官员只能维护本区的评审专家", 403)
