"""Attendance: who was at a session, the officer's correction (with a reason, audited), and the helpers the
check-in, certificate and feedback services share (which session and registration a caller may reach).

A registration is present at a session when its attendance row has ``checked_in_at``; an officer marking it absent
clears that time and keeps the reason. Out of reach is "not found", as everywhere (app/access.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import DomainError, FieldError, not_found
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import SHANGHAI, now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps.access import REGISTRATIONS, SESSIONS
from programmes.camps.attendance_rules import Window, checkin_window
from programmes.camps.schemas_attendance import AttendanceCorrection, AttendanceRead
from programmes.camps.tables import Camp, CampRegistration, CampSession, SessionAttendance
from programmes.workflows.camps import RegistrationStatus

SESSION_LABEL = "课程"
REGISTRATION_LABEL = "报名"


def session_window(session: dict[str, Any], margin_minutes: int) -> Window:
    """The session's window on Beijing's clock (its date and times are Beijing time), widened by the margin."""
    starts = datetime.combine(session["session_date"], session["start_time"], tzinfo=SHANGHAI)
    ends = datetime.combine(session["session_date"], session["end_time"], tzinfo=SHANGHAI)
    return checkin_window(starts, ends, margin_minutes)


async def staff_session(principal: Principal, session_id: int) -> dict[str, Any]:
    """A session an officer in its camp's scope may run (else 404)."""
    return await load(principal, SESSIONS.table, session_id)


async def _own_registrations(principal: Principal, camp_id: int) -> list[dict[str, Any]]:
    if principal.role is not Role.applicant:
        return []
    orgs = await acting_organisation_ids(principal.user_id)
    if not orgs:
        return []
    rows = (
        await CampRegistration.select()
        .where(
            CampRegistration.camp == camp_id,
            CampRegistration.organisation.is_in(orgs),
            CampRegistration.status == RegistrationStatus.registered,
        )
        .order_by(CampRegistration.id)
    )
    return [dict(row) for row in rows]


async def participant_session(
    principal: Principal, session_id: int, registration_id: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The session and the caller's organisation's seat-holding registration in its camp. A session of a camp the
    caller's organisation holds no seat in is "not found", like one that does not exist."""
    session = await load(principal, CampSession, session_id, "any")
    mine = await _own_registrations(principal, int(session["camp"]))
    if not mine:
        raise not_found(SESSION_LABEL)
    if registration_id is not None:
        chosen = [row for row in mine if row["id"] == registration_id]
        if not chosen:
            raise not_found(REGISTRATION_LABEL)
        return session, chosen[0]
    if len(mine) > 1:
        detail = "本账户代表的多个单位都报名了该营，请指明报名编号"
        raise DomainError(
            "registration_ambiguous", detail, 422, [FieldError("registration_id", "registration_ambiguous", detail)]
        )
    return session, mine[0]


async def registration_for(principal: Principal, registration_id: int) -> dict[str, Any]:
    """A registration its own organisation or staff in scope may read (else 404)."""
    return await load(principal, REGISTRATIONS.table, registration_id, "party", load_json=True)


def attendance_read(
    session_id: int, registration: dict[str, Any], row: dict[str, Any] | None, org: str
) -> AttendanceRead:
    return AttendanceRead(
        session_id=session_id,
        registration_id=registration["id"],
        organisation_id=registration["organisation"],
        organisation_name=org,
        present=bool(row and row["checked_in_at"] is not None),
        checked_in_at=row["checked_in_at"] if row else None,
        corrected=bool(row and row["corrected_by"] is not None),
        reason=row["reason"] if row else "",
    )


async def organisation_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids))
    return {int(r["id"]): r["name"] for r in rows}


async def list_attendance(principal: Principal, session_id: int, params: PageParams) -> Page[AttendanceRead]:
    """Every seat-holding registration of the session's camp with its presence (staff in scope)."""
    session = await staff_session(principal, session_id)
    page = await fetch_page(
        CampRegistration,
        CampRegistration.select().order_by(CampRegistration.id),
        params,
        CampRegistration.camp == session["camp"],
        CampRegistration.status == RegistrationStatus.registered,
    )
    ids = [row["id"] for row in page.items]
    rows = (
        await SessionAttendance.select()
        .where(SessionAttendance.session == session_id, SessionAttendance.registration.is_in(ids))
        .output(load_json=True)
        if ids
        else []
    )
    by_registration = {int(r["registration"]): dict(r) for r in rows}
    names = await organisation_names([int(r["organisation"]) for r in page.items])
    return page.map(
        [
            attendance_read(session_id, r, by_registration.get(r["id"]), names.get(int(r["organisation"]), ""))
            for r in page.items
        ]
    )


async def correct_attendance(
    principal: Principal, session_id: int, registration_id: int, data: AttendanceCorrection
) -> AttendanceRead:
    """An officer sets a registration present or absent at a session, with a reason; audited before/after."""
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await staff_session(principal, session_id)
        registration = await load(principal, CampRegistration, registration_id, lock=True)
        if registration["camp"] != session["camp"] or registration["status"] != RegistrationStatus.registered:
            raise not_found(REGISTRATION_LABEL)
        existing = await SessionAttendance.select().where(
            SessionAttendance.session == session_id, SessionAttendance.registration == registration_id
        )
        before = dict(existing[0]) if existing else None
        was_present = bool(before and before["checked_in_at"] is not None)
        checked_in_at = (before["checked_in_at"] if was_present and before else now_utc()) if data.present else None
        if before is None:
            await SessionAttendance.insert(
                SessionAttendance(
                    registration=registration_id,
                    session=session_id,
                    scope_district=session["scope_district"],
                    checked_in_at=checked_in_at,
                    corrected_by=principal.user_id,
                    reason=data.reason,
                )
            )
        else:
            await SessionAttendance.update(
                {
                    SessionAttendance.checked_in_at: checked_in_at,
                    SessionAttendance.corrected_by: principal.user_id,
                    SessionAttendance.reason: data.reason,
                }
            ).where(SessionAttendance.id == before["id"])
        await uow.audit(
            "camp.attendance.correct",
            "camp_registration",
            registration_id,
            before={"session": session_id, "present": was_present},
            after={"session": session_id, "present": data.present},
            reason=data.reason,
        )
        row = (
            await SessionAttendance.select()
            .where(SessionAttendance.session == session_id, SessionAttendance.registration == registration_id)
            .first()
        )
    names = await organisation_names([int(registration["organisation"])])
    return attendance_read(session_id, registration, row, names.get(int(registration["organisation"]), ""))


async def camp_of(session: dict[str, Any]) -> dict[str, Any]:
    row = await Camp.select().where(Camp.id == session["camp"]).first()
    assert row is not None  # camp_session.camp is a NOT NULL foreign key
    return dict(row)
