"""Who may see or act on a mentorship (and, through it, its meetings and rating).

Needs: ``staff`` (built in: officers whose district covers the project's ``scope_district``); ``mentor``: the
mentor of the row; ``organisation``: a member acting for the project's organisation; ``reader``: any of them.
Anything else is the uniform 404 ``导师陪伴不存在或无权访问``."""

from __future__ import annotations

from app.access import Row, can, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.tables import Application
from scoring.mentors.tables import Mentorship


async def _mentor(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is Role.expert and int(row["mentor"]) == principal.user_id:
        return True, "ok"
    return False, "not_the_mentor"


async def _organisation(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is not Role.applicant:
        return False, "not_applicant"
    found = await Application.select(Application.organisation).where(Application.id == row["application"]).first()
    if found is not None and int(found["organisation"]) in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "other_organisation"


async def _reader(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.is_staff:
        return await can(principal, "staff", Mentorship, row)
    if principal.role is Role.expert:
        return await _mentor(principal, row)
    return await _organisation(principal, row)


MENTORSHIPS = protect(
    Mentorship, "导师陪伴", rules={"mentor": _mentor, "organisation": _organisation, "reader": _reader}
)
