"""Who may see or act on incubation rows, declared once per table.

- ``staff`` (built in): officers and admins whose district covers ``scope_district``;
- ``organisation``: the caller acts for the row's organisation (a supported project's, a replication's);
- ``reader``: either.

Anything else is the uniform 404 ``<label>不存在或无权访问``.
"""

from __future__ import annotations

from app.access import Row, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.incubation.tables import Cohort, Replication, SupportedProject


async def _staff(principal: Principal, row: Row) -> tuple[bool, str]:
    if not principal.is_staff:
        return False, "not_staff"
    if not principal.can_see_district(row.get("scope_district")):
        return False, "out_of_scope"
    return True, "ok"


async def _organisation(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is not Role.applicant:
        return False, "not_applicant"
    if int(row["organisation"]) in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "other_organisation"


async def _reader(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.is_staff:
        return await _staff(principal, row)
    return await _organisation(principal, row)


COHORTS = protect(Cohort, "扶持批次")
PROJECTS = protect(SupportedProject, "扶持项目", rules={"organisation": _organisation, "reader": _reader})
REPLICATIONS = protect(Replication, "复制推广项目", rules={"organisation": _organisation, "reader": _reader})
