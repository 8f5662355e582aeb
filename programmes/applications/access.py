"""Who may see or act on an application: the one policy every application service loads rows through.

- ``member``: the caller acts for the application's organisation — its members, and for a filed group the members
  of its custodian centre (财务代管);
- ``applying`` (create, submit, withdraw): as ``member``, but a filed group's own members are refused with the
  403 ``filed_group_applies_via_custodian`` (they may read and edit the draft, so that is no secret);
- ``reader``: members (their working copy) or staff in the row's district (the answers as submitted); also, read
  only, the officers of the organisation's district while a city-level round is at the 区级推荐 stage
  (``programmes.recommendations.access``);
- ``staff`` (built in): officers and admins whose district covers the row.

Anything else is the uniform 404 ``申报不存在或无权访问``.
"""

from __future__ import annotations

from app.access import Row, can, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.custody import acting_organisation_ids, ensure_may_apply_for
from programmes.recommendations.access import sees_as_recommending_district
from programmes.tables import Application


async def is_member(principal: Principal, row: Row) -> tuple[bool, str]:
    if row["organisation"] in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "not_member"


async def may_apply(principal: Principal, row: Row) -> tuple[bool, str]:
    allowed, reason = await is_member(principal, row)
    if allowed:
        await ensure_may_apply_for(principal.user_id, row["organisation"])  # 403 for a filed group's own members
    return allowed, reason


async def may_read(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is Role.applicant:
        return await is_member(principal, row)
    if principal.is_staff:
        allowed, reason = await can(principal, "staff", Application, row)
        if allowed:
            return allowed, reason
        return await sees_as_recommending_district(principal, row)
    return False, "not_a_reader"  # experts read their own (possibly blind) view of the submission


APPLICATIONS = protect(Application, "申报", rules={"member": is_member, "applying": may_apply, "reader": may_read})
