"""Fast-track (直通): an officer invites a 公益创新创业大赛 winner into an open 沪社星耀 round; the organisation accepts
(its pre-filled support-plan draft then follows the support-plan workflow) or declines."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, Workflow, step

STAFF = [OFFICER, ADMIN]


class InvitationStatus(StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


FASTTRACK_INVITATION = Workflow(
    name="fasttrack_invitation",
    status=InvitationStatus,
    initial="invited",
    states={
        "invited": "已邀请，待确认",
        "accepted": "已接受（草稿由申报单位编辑提交）",
        "declined": "已婉拒",
        "withdrawn": "已撤回邀请",
    },
    transitions=(
        step("accept", "invited", "accepted", [APPLICANT], "接受邀请"),
        step("decline", "invited", "declined", [APPLICANT], "婉拒邀请", requires_reason=True),
        step("withdraw", "invited", "withdrawn", STAFF, "撤回邀请", requires_reason=True),
    ),
    # ``open``: the organisation may still answer; ``live``: counts for one invitation per (winner, round).
    capabilities={"open": ["invited"], "live": ["invited", "accepted"]},
)
