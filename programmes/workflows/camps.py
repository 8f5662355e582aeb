"""Camps: a camp opens for registration and closes; a registration holds a seat or waits for one, and the wait
list promotes in order when a seat frees (the cancel's transaction promotes, so no seat stays empty)."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Workflow, step

STAFF = (OFFICER, ADMIN)


class CampStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    cancelled = "cancelled"


class RegistrationStatus(StrEnum):
    registered = "registered"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


CAMP = Workflow(
    name="camp",
    status=CampStatus,
    initial="draft",
    states={"draft": "筹备中", "open": "报名中", "closed": "报名截止", "cancelled": "已取消"},
    transitions=(
        step("open", "draft", "open", STAFF, "开放报名"),
        step("close", "open", "closed", STAFF, "截止报名"),
        step("cancel", ["draft", "open", "closed"], "cancelled", STAFF, "取消训练营", requires_reason=True),
    ),
    # ``editable``: sessions and materials may be added; ``registrable``: organisations may register;
    # ``promotes``: a freed seat goes to the wait list (after registration closes too, until the camp is cancelled).
    capabilities={"editable": ["draft", "open", "closed"], "registrable": ["open"], "promotes": ["open", "closed"]},
)

REGISTRATION = Workflow(
    name="camp_registration",
    status=RegistrationStatus,
    # Every registration joins the queue; one that finds a free seat is promoted in the same transaction, so it is
    # stored as ``registered`` at once and only a full camp leaves it ``waitlisted``.
    initial="waitlisted",
    states={"waitlisted": "候补中", "registered": "已报名", "cancelled": "已取消"},
    transitions=(
        step("promote", "waitlisted", "registered", (SYSTEM, *STAFF), "候补转正"),
        step("cancel", ["registered", "waitlisted"], "cancelled", (APPLICANT, *STAFF), "取消报名"),
    ),
    capabilities={"holds_seat": ["registered"], "live": ["registered", "waitlisted"]},
)
