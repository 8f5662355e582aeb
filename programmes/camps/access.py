"""Who may see or act on the camp rows: one policy per table, declared once.

Needs (beside the built-in ``staff`` — officers and admins whose district covers ``scope_district`` — and ``any``):

- ``reader`` (camps, sessions, materials): staff in scope always; anyone signed in once the camp is past its draft
  (organisations must see a camp to register for it);
- ``organisation`` (registrations): the caller acts for the registration's organisation;
- ``party`` (registrations): the organisation, or staff in scope.

Anything else is the uniform 404 ``<label>不存在或无权访问``.
"""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from app.access import Row, Rule, no_rows, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.camps.tables import Camp, CampMaterial, CampRegistration, CampSession
from programmes.workflows.camps import CampStatus


async def _staff(principal: Principal, row: Row) -> tuple[bool, str]:
    if not principal.is_staff:
        return False, "not_staff"
    if not principal.can_see_district(row.get("scope_district")):
        return False, "out_of_scope"
    return True, "ok"


async def _announced_camp(principal: Principal, row: Row) -> tuple[bool, str]:
    if row["status"] != CampStatus.draft:
        return True, "ok"
    return await _staff(principal, row)


async def _of_announced_camp(principal: Principal, row: Row) -> tuple[bool, str]:
    camp = await Camp.select(Camp.status, Camp.scope_district).where(Camp.id == row["camp"]).first()
    assert camp is not None  # a NOT NULL foreign key
    return await _announced_camp(principal, camp)


async def _organisation(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is not Role.applicant:
        return False, "not_applicant"
    if int(row["organisation"]) in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "other_organisation"


def _either(*rules: Rule) -> Rule:
    async def rule(principal: Principal, row: Row) -> tuple[bool, str]:
        reason = "no_rule"
        for one in rules:
            allowed, reason = await one(principal, row)
            if allowed:
                return True, "ok"
        return False, reason

    return rule


CAMPS = protect(Camp, "训练营", rules={"reader": _announced_camp})
SESSIONS = protect(CampSession, "课程场次", rules={"reader": _of_announced_camp})
MATERIALS = protect(CampMaterial, "训练营资料", rules={"reader": _of_announced_camp})
REGISTRATIONS = protect(
    CampRegistration, "训练营报名", rules={"organisation": _organisation, "party": _either(_organisation, _staff)}
)


async def organisation_scope(principal: Principal, column: Column) -> tuple[Combinable, ...]:
    ids = await acting_organisation_ids(principal.user_id) if principal.role is Role.applicant else []
    if not ids:
        return no_rows(column)
    return (column.is_in(ids),)
