"""A fast-tracked draft is submitted only once its organisation has accepted the invitation: the officer pre-filled
it, so until the organisation confirms, it is not the organisation's application. A declined or withdrawn
invitation's draft is withdrawn with it and never goes in either (the rule names why, rather than the bare workflow
refusal). Registered with ``programmes.applications.submit_rules`` (loaded by programmes/piccolo_app.py).

Read without a lock: ``accepted`` is final, so once it is seen committed it stays; a decline racing the submit is
refused either way (its invitation is still ``invited`` to this reader until it commits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import conflict
from programmes.applications.submit_rules import submit_rule
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.workflows.fasttrack import InvitationStatus

REFUSALS_ZH = {
    InvitationStatus.invited: "该申报书由直通邀请预填，请先接受邀请再提交",
    InvitationStatus.declined: "已婉拒直通邀请，预填的申报书不能提交",
    InvitationStatus.withdrawn: "直通邀请已被撤回，预填的申报书不能提交",
}


@submit_rule
async def accepted_invitations_only(application: Mapping[str, Any]) -> None:
    link = (
        await FastTrackInvitation.select(FastTrackInvitation.status)
        .where(FastTrackInvitation.application == application["id"])
        .first()
    )
    if link is None or link["status"] == InvitationStatus.accepted:
        return
    status = InvitationStatus(link["status"])
    raise conflict("fasttrack_not_accepted", REFUSALS_ZH.get(status, REFUSALS_ZH[InvitationStatus.invited]))
