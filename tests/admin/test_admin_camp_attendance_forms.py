"""The camp attendance forms over the admin's HTTP API: a correction needs a reason and is audited; certificates
follow the completion rule; district scope as in the API."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.camps.tables import CampCertificate, SessionAttendance
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.attendance_world import AttendanceWorld, attendance_world_fixture  # noqa: F401 — fixture

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

CORRECT = form_path("更正训练营出勤")
ISSUE = form_path("发放结业证书")


async def test_attendance_and_certificate_forms(admin_client: AdminFactory, attendance_world: AttendanceWorld) -> None:
    w = attendance_world
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    body = {"session_id": w.session_ids[0], "registration_id": w.registration_id, "attendance": "出勤", "reason": "x"}
    assert (await changning.post(CORRECT, body)).status_code == 422  # a reason of one character
    body["reason"] = "现场核实到场"
    assert await refused(pudong, CORRECT, body) == "课程场次不存在或无权访问"
    for session_id in w.session_ids[:4]:
        ok(await changning.post(CORRECT, {**body, "session_id": session_id}))
    assert await SessionAttendance.count().where(SessionAttendance.checked_in_at.is_not_null()) == 4
    assert await AuditEntry.count().where(AuditEntry.action == "camp.attendance.correct") == 4
    done = ok(await changning.post(ISSUE, {"camp_id": w.camp_id}))
    assert "新发结业证书 1 张" in done["custom_form_success"]
    assert await CampCertificate.count() == 1
    assert await refused(pudong, ISSUE, {"camp_id": w.camp_id}) == "训练营不存在或无权访问"
