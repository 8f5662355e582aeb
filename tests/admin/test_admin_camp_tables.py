"""The camps, incubation, fast-track and mentor tables are in the admin, read-only and in scope: a district officer
sees its district's attendance and check-in codes, never another district's (404), and nobody reads a check-in
code's hash (the six-digit code falls to a million guesses from it) or filters by it (app/admin/masking.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import SHANGHAI, today_shanghai
from programmes.camps.checkin import issue_code
from programmes.camps.tables import SessionAttendance, SessionCheckinCode
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import ok
from tests.factories.incubation import camp_seat, checked_in, edition_camp

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

NEW_TABLES = {
    "camp_material",
    "session_attendance",
    "session_checkin_code",
    "session_feedback",
    "camp_certificate",
    "indicator_value",
    "fast_track_invitation",
    "mentor_profile",
    "mentorship",
    "mentor_meeting",
    "mentor_rating",
}


async def test_camp_tables_are_read_only_in_scope_and_hide_the_code(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert changning.user is not None
    start = datetime.combine(today_shanghai(), time(9, 0), tzinfo=SHANGHAI)
    camp_id, [session_id] = await edition_camp(None, [start + timedelta(days=1)])
    org_id, _ = await factories.organisation(District.changning)
    seat = await camp_seat(camp_id, org_id)
    await checked_in(seat, session_id)
    issued = await issue_code(changning.user.principal, session_id)
    stored = await SessionCheckinCode.select(SessionCheckinCode.id, SessionCheckinCode.code_hash).first()
    assert stored is not None

    assert NEW_TABLES <= set(ok(await city.get("tables/")))
    for session in (city, changning):
        listed = ok(await session.get("tables/session_checkin_code/?__readable=true"))["rows"]
        detail = await session.get(f"tables/session_checkin_code/{stored['id']}/")
        assert [r["id"] for r in listed] == [stored["id"]] and detail.status_code == 200
        for response_text in (str(listed), detail.text):
            assert stored["code_hash"] not in response_text and issued.code not in response_text
        assert detail.json()["code_hash"] == "（已隐藏）"
        attendance = ok(await session.get("tables/session_attendance/"))["rows"]
        assert [r["registration"] for r in attendance] == [seat]
    # Another district: no rows, and a row it knows the id of is "not found".
    assert ok(await pudong.get("tables/session_checkin_code/"))["rows"] == []
    assert ok(await pudong.get("tables/session_attendance/"))["rows"] == []
    assert (await pudong.get(f"tables/session_checkin_code/{stored['id']}/")).status_code == 404
    # Filtering or sorting by the hash would recover it digit by digit; writing is refused like every masked table.
    for query in (f"code_hash={stored['code_hash']}", "code_hash__match=starts&code_hash=a", "__order=code_hash"):
        assert (await city.get(f"tables/session_checkin_code/?{query}")).status_code == 400, query
    refused = await city.patch(f"tables/session_checkin_code/{stored['id']}/", {"code_hash": "0" * 64})
    assert refused.status_code == 405
    attendance_id = ok(await changning.get("tables/session_attendance/"))["rows"][0]["id"]
    assert (await changning.delete(f"tables/session_attendance/{attendance_id}/")).status_code in (403, 405)
    assert await SessionAttendance.count() == 1
