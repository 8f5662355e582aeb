"""Who acts for which organisation: its members, and (for filed groups) the members of its custodian centre.

Plain queries with no policy of their own, so the access rules (``app.organisations.access``), custody and the
programme rooms can all build on them without importing each other.
"""

from __future__ import annotations

from app.organisations.tables import Organisation, OrganisationMember, OrganisationType

GROUP_TYPE = OrganisationType.filed_community_group.value


async def member_organisation_ids(user_id: int) -> list[int]:
    rows = await OrganisationMember.select(OrganisationMember.organisation).where(OrganisationMember.user == user_id)
    return [int(row["organisation"]) for row in rows]


async def groups_in_custody_of(organisation_ids: list[int]) -> list[int]:
    if not organisation_ids:
        return []
    rows = await Organisation.select(Organisation.id).where(
        Organisation.custodian.is_in(organisation_ids) & (Organisation.org_type == GROUP_TYPE)
    )
    return [int(r["id"]) for r in rows]


async def acting_organisation_ids(user_id: int) -> list[int]:
    """Organisations whose objects the caller may read and whose drafts they may edit: their own, and the filed
    groups in their centre's custody."""
    own = await member_organisation_ids(user_id)
    return sorted({*own, *await groups_in_custody_of(own)})


async def custodian_of(organisation_id: int) -> int | None:
    """The custodian centre of a filed group; ``None`` for any other organisation."""
    row = (
        await Organisation.select(Organisation.org_type, Organisation.custodian)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None or row["org_type"] != GROUP_TYPE:
        return None
    return int(row["custodian"]) if row["custodian"] is not None else None
