"""Who may see or act on a fast-track invitation: staff whose district covers the support-plan round
(``scope_district``), and the invited organisation (``organisation``); ``reader`` is either. Anything else is the
uniform 404 ``直通邀请不存在或无权访问``."""

from __future__ import annotations

from app.access import Row, can, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.fasttrack.tables import FastTrackInvitation


async def _organisation(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.role is not Role.applicant:
        return False, "not_applicant"
    if int(row["organisation"]) in await acting_organisation_ids(principal.user_id):
        return True, "ok"
    return False, "other_organisation"


async def _reader(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.is_staff:
        return await can(principal, "staff", FastTrackInvitation, row)
    return await _organisation(principal, row)


INVITATIONS = protect(FastTrackInvitation, "直通邀请", rules={"organisation": _organisation, "reader": _reader})
