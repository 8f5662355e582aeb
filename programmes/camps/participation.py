"""Camp attendance per organisation across one edition's camps, for the 沪社星耀 cohort dashboard: of the sessions
already held in the edition's camps where the organisation holds a seat, how many it attended.

A session counts as held once it has started (Beijing time): a camp half-way through does not count its later
sessions against anyone. Presence is the attendance row's ``checked_in_at`` (check-in code or an officer's
correction). A cancelled camp counts nothing; a cancelled or wait-listed registration holds no seat, so it counts
nothing either. Three queries for any number of organisations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from piccolo.query.functions.aggregate import Count

from app.timezone import SHANGHAI, now_utc
from programmes.camps.tables import CampRegistration, CampSession, SessionAttendance
from programmes.workflows.camps import CampStatus, RegistrationStatus


@dataclass(frozen=True)
class Attendance:
    attended: int
    held: int

    @property
    def rate(self) -> float | None:
        """Attended / held (0..1); None while nothing has been held."""
        return self.attended / self.held if self.held else None


async def by_organisation(
    edition_id: int, organisation_ids: list[int], moment: datetime | None = None
) -> dict[int, Attendance]:
    """Attendance of each organisation (only those with a seat in one of the edition's camps appear)."""
    if not organisation_ids:
        return {}
    now = (moment or now_utc()).astimezone(SHANGHAI)
    seats = await CampRegistration.select(
        CampRegistration.id, CampRegistration.camp, CampRegistration.organisation
    ).where(
        CampRegistration.camp.edition == edition_id,
        CampRegistration.camp.status != CampStatus.cancelled,
        CampRegistration.organisation.is_in(sorted(set(organisation_ids))),
        CampRegistration.status == RegistrationStatus.registered,
    )
    if not seats:
        return {}
    camp_ids = sorted({int(s["camp"]) for s in seats})
    sessions = await CampSession.select(
        CampSession.id, CampSession.camp, CampSession.session_date, CampSession.start_time
    ).where(CampSession.camp.is_in(camp_ids), CampSession.session_date <= now.date())
    held = [s for s in sessions if datetime.combine(s["session_date"], s["start_time"], tzinfo=SHANGHAI) <= now]
    held_per_camp: dict[int, int] = defaultdict(int)
    for session in held:
        held_per_camp[int(session["camp"])] += 1
    present: dict[int, int] = {}
    if held:
        rows = (
            await SessionAttendance.select(SessionAttendance.registration, Count(alias="n"))
            .where(
                SessionAttendance.registration.is_in([int(s["id"]) for s in seats]),
                SessionAttendance.session.is_in([int(s["id"]) for s in held]),
                SessionAttendance.checked_in_at.is_not_null(),
            )
            .group_by(SessionAttendance.registration)
        )
        present = {int(r["registration"]): int(r["n"]) for r in rows}
    attended: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for seat in seats:
        organisation = int(seat["organisation"])
        attended[organisation] += present.get(int(seat["id"]), 0)
        total[organisation] += held_per_camp.get(int(seat["camp"]), 0)
    return {org: Attendance(attended[org], total[org]) for org in total}
