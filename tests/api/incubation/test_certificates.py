"""Completion certificates and feedback: a registration that attended ≥ 80 % of the camp's sessions gets a
certificate (PDF, verification code checked at a public URL showing only what the certificate shows); feedback per
session once per registration, summarised per camp and trainer."""

from __future__ import annotations

import asyncio

import httpx

from app.timezone import now_utc
from programmes.camps.tables import CampCertificate, SessionAttendance, SessionFeedback
from tests.factories.attendance_world import AttendanceWorld, attendance_world_fixture  # noqa: F401 — pytest fixture
from tests.factories.http import assert_problem, ok, problem, refused


async def _attend(w: AttendanceWorld, registration_id: int, sessions: int) -> None:
    for session_id in w.session_ids[:sessions]:
        await SessionAttendance.insert(
            SessionAttendance(
                registration=registration_id, session=session_id, checked_in_at=now_utc(), scope_district="changning"
            )
        )


async def test_certificates_for_those_who_completed(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld
) -> None:
    w = attendance_world
    await _attend(w, w.registration_id, 4)  # 4/5 = 80 %
    await _attend(w, w.second_registration_id, 3)  # 60 %
    url = f"/camps/{w.camp_id}/certificates"
    problem(await client.post(url, headers=w.other_officer.headers), 404, "not_found")
    assert (await client.post(url, headers=w.member.headers)).status_code == 403
    result = ok(await client.post(url, headers=w.officer.headers))
    assert result == {"camp_id": w.camp_id, "issued": 1, "total": 1, "not_completed": 1}
    assert ok(await client.post(url, headers=w.city_officer.headers))["issued"] == 0
    notices = ok(await client.get("/notifications/mine", headers=w.member.headers))
    assert [n["kind"] for n in notices].count("camp_certificate") == 1
    assert not [
        n
        for n in ok(await client.get("/notifications/mine", headers=w.second_member.headers))
        if n["kind"] == "camp_certificate"
    ]
    listed = await client.get(url, headers=w.officer.headers)
    assert listed.headers["X-Total-Count"] == "1"
    certificate = listed.json()[0]
    assert certificate["registration_id"] == w.registration_id and certificate["participants"] == ["张三"]
    assert certificate["issued_at"].endswith("+08:00")

    pdf = await client.get(certificate["pdf_url"], headers=w.member.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    ok_for_staff = await client.get(certificate["pdf_url"], headers=w.officer.headers)
    assert ok_for_staff.status_code == 200
    for who in (w.second_member, w.outsider, w.other_officer):
        problem(await client.get(certificate["pdf_url"], headers=who.headers), 404, "not_found")
    no_certificate = f"/camps/registrations/{w.second_registration_id}/certificate.pdf"
    problem(await client.get(no_certificate, headers=w.second_member.headers), 404, "not_found")

    public = ok(await client.get(f"/certificates/{certificate['verification_code']}"))
    assert public["valid"] is True
    assert public["organisation_name"] == "阳光社工服务社" and public["participants"] == ["张三"]
    assert public["camp_kind"] == "品牌塑造营"
    assert "13900000001" not in str(public) and "registration_id" not in public
    problem(await client.get(f"/certificates/{certificate['verification_code'].lower()}x"), 404, "not_found")
    problem(await client.get("/certificates/ab"), 404, "not_found")
    problem(await client.get(f"/certificates/{'A' * 40}"), 404, "not_found")


async def test_fifty_concurrent_issuances_give_one_certificate(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld
) -> None:
    w = attendance_world
    await _attend(w, w.registration_id, 5)
    answers = await asyncio.gather(
        *(client.post(f"/camps/{w.camp_id}/certificates", headers=w.officer.headers) for _ in range(50))
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    assert sum(a.json()["issued"] for a in answers) == 1
    assert await CampCertificate.count() == 1


async def test_feedback_once_per_registration_and_session(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld
) -> None:
    w = attendance_world
    session = w.session_ids[0]
    url = f"/camps/sessions/{session}/feedback"
    problem(await client.post(url, json={"rating": 5}, headers=w.member.headers), 409, "feedback_needs_attendance")
    await _attend(w, w.registration_id, 4)
    await _attend(w, w.second_registration_id, 1)
    refused(await client.post(url, json={"rating": 6}, headers=w.member.headers), 422, "less_than_equal", "rating")
    refused(await client.post(url, json={"rating": 0}, headers=w.member.headers), 422, "greater_than_equal", "rating")
    too_long = assert_problem(
        await client.post(url, json={"rating": 3, "comment": "长" * 1001}, headers=w.member.headers)
    )
    assert too_long["errors"][0]["field"] == "comment"
    answers = await asyncio.gather(
        *(client.post(url, json={"rating": 4, "comment": "很实用"}, headers=w.member.headers) for _ in range(50))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    assert all(a.json()["code"] == "feedback_exists" for a in answers if a.status_code == 409)
    assert await SessionFeedback.count().where(SessionFeedback.registration == w.registration_id) == 1
    ok(await client.post(url, json={"rating": 2}, headers=w.second_member.headers), 201)
    ok(
        await client.post(f"/camps/sessions/{w.session_ids[3]}/feedback", json={"rating": 5}, headers=w.member.headers),
        201,
    )
    problem(await client.post(url, json={"rating": 5}, headers=w.outsider.headers), 404, "not_found")

    summary = ok(await client.get(f"/camps/{w.camp_id}/feedback-summary", headers=w.officer.headers))
    assert summary["overall"]["count"] == 3 and summary["overall"]["average"] == 3.67
    first = summary["sessions"][0]
    assert first["session_id"] == session and first["count"] == 2 and first["average"] == 3.0
    assert first["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    trainers = {t["trainer"]: t for t in summary["trainers"]}
    assert trainers["李老师"]["sessions"] == 3 and trainers["李老师"]["average"] == 3.0
    assert trainers["王老师"]["count"] == 1 and trainers["王老师"]["average"] == 5.0
    assert summary["sessions"][1]["average"] is None
    problem(await client.get(f"/camps/{w.camp_id}/feedback-summary", headers=w.other_officer.headers), 404, "not_found")
    assert (await client.get(f"/camps/{w.camp_id}/feedback-summary", headers=w.member.headers)).status_code == 403
