"""Mentorship (导师陪伴): a mentor from the expert pool accompanies a supported 沪社星耀 project. Assigned by the
reviewer-assignment solver (k mentors per project, load caps, the same conflict-of-interest rules); an officer may
end one with a reason (the pair is then never proposed again)."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, Workflow, step

STAFF = [OFFICER, ADMIN]


class MentorshipStatus(StrEnum):
    active = "active"
    ended = "ended"


MENTORSHIP = Workflow(
    name="mentorship",
    status=MentorshipStatus,
    initial="active",
    states={"active": "陪伴中", "ended": "已结束"},
    transitions=(step("end", "active", "ended", STAFF, "结束导师陪伴", requires_reason=True),),
    # ``live``: counts towards k and the mentor's load, and the mentor may log meetings.
    capabilities={"live": ["active"]},
)
