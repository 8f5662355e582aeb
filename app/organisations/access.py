"""Who may see the registry's rows: the organisation and claim policies (``app.access``), declared once.

Organisations carry their ``district`` (not ``scope_district``), so their ``staff`` rule reads that column; claims
carry ``scope_district`` and use the built-in rule.

- ``staff``: officers of the organisation's district (city officers: every district) and admins — who may correct
  facts, manage members and designate service centres;
- ``reader``: staff as above, and applicants acting for it (its members; a custodian centre's members also for
  the groups in its custody) — who may read it;
- ``centre``: staff as above, and the organisation's own members — who may list the groups in a centre's custody.
"""

from __future__ import annotations

from app.access import Row, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids, member_organisation_ids
from app.organisations.tables import Organisation, OrganisationClaim


async def _staff_in_district(principal: Principal, row: Row) -> tuple[bool, str]:
    if not principal.is_staff:
        return False, "not_staff"
    if not principal.can_see_district(row["district"]):
        return False, "out_of_scope"
    return True, "ok"


async def _reader(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is Role.applicant:
        if int(row["id"]) in await acting_organisation_ids(principal.user_id):
            return True, "ok"
        return False, "not_acting_for"
    return await _staff_in_district(principal, row)


async def _centre_member(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is Role.applicant:
        if int(row["id"]) in await member_organisation_ids(principal.user_id):
            return True, "ok"
        return False, "not_member"
    return await _staff_in_district(principal, row)


ORGANISATIONS = protect(
    Organisation, "社会组织", rules={"staff": _staff_in_district, "reader": _reader, "centre": _centre_member}
)
CLAIMS = protect(OrganisationClaim, "认领申请")
