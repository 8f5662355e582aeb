"""Check-in codes and attendance: the officer issues a six-digit code (stored hashed) shown as text and QR; a
registered organisation checks in within the session's window ± the margin (edges in, one second outside out);
wrong codes are rate limited; checking in twice is idempotent; officers correct attendance with a reason."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from app.audit import AuditEntry
from app.settings import get_settings
from programmes.camps import checkin
from programmes.camps.tables import SessionAttendance, SessionCheckinCode
from tests.factories.attendance_world import AttendanceWorld, attendance_world_fixture  # noqa: F401 — pytest fixture
from tests.factories.http import assert_problem, ok, problem, refused

Clock = Callable[[datetime], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(checkin, "now_utc", lambda: moment)

    return set_to


def _margin() -> timedelta:
    return timedelta(minutes=get_settings().checkin_margin_minutes)


async def _issue(client: httpx.AsyncClient, w: AttendanceWorld, index: int = 0) -> str:
    body = ok(await client.post(f"/camps/sessions/{w.session_ids[index]}/checkin-code", headers=w.officer.headers), 201)
    code: str = body["code"]
    return code


async def test_officer_issues_a_hashed_code_with_a_qr_image(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at() - timedelta(hours=1))
    url = f"/camps/sessions/{w.session_ids[0]}/checkin-code"
    body = ok(await client.post(url, headers=w.officer.headers), 201)
    assert len(body["code"]) == 6 and body["code"].isdigit()
    assert body["valid_from"].endswith("+08:00")
    stored = await SessionCheckinCode.select().where(SessionCheckinCode.session == w.session_ids[0])
    assert len(stored) == 1 and body["code"] not in stored[0]["code_hash"]
    png = await client.get(f"{url}.png", params={"code": body["code"]}, headers=w.officer.headers)
    assert png.status_code == 200 and png.headers["content-type"].startswith("image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    refused(
        await client.get(f"{url}.png", params={"code": "x"}, headers=w.officer.headers),
        422,
        "checkin_code_wrong",
        "code",
    )
    # A new code replaces the old one.
    again = ok(await client.post(url, headers=w.city_officer.headers), 201)
    assert await SessionCheckinCode.count().where(SessionCheckinCode.session == w.session_ids[0]) == 1
    if again["code"] != body["code"]:
        png = await client.get(f"{url}.png", params={"code": body["code"]}, headers=w.officer.headers)
        assert png.status_code == 422
    problem(await client.post(url, headers=w.other_officer.headers), 404, "not_found")
    assert (await client.post(url, headers=w.member.headers)).status_code == 403
    assert (await client.post(url)).status_code == 401
    clock(w.ends_at() + _margin() + timedelta(seconds=1))
    problem(await client.post(url, headers=w.officer.headers), 409, "checkin_window_closed")


async def test_window_edges_one_second_before_and_after(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at() - timedelta(hours=1))
    code = await _issue(client, w)
    url = f"/camps/sessions/{w.session_ids[0]}/checkin"
    opens, closes = w.starts_at() - _margin(), w.ends_at() + _margin()
    clock(opens - timedelta(seconds=1))
    body = assert_problem(await client.post(url, json={"code": code}, headers=w.member.headers), 409)
    assert body["code"] == "checkin_not_open"
    clock(opens)
    first = ok(await client.post(url, json={"code": code}, headers=w.member.headers))
    assert first["present"] is True and first["registration_id"] == w.registration_id
    clock(closes + timedelta(seconds=1))
    problem(await client.post(url, json={"code": code}, headers=w.second_member.headers), 409, "checkin_window_closed")
    clock(closes)
    ok(await client.post(url, json={"code": code}, headers=w.second_member.headers))
    assert await SessionAttendance.count().where(SessionAttendance.session == w.session_ids[0]) == 2


async def test_wrong_codes_are_refused_then_rate_limited(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at())
    code = await _issue(client, w)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    url = f"/camps/sessions/{w.session_ids[0]}/checkin"
    limit = int(get_settings().rate_limit_checkin_failures.split("/")[0])
    for _ in range(limit):
        refused(
            await client.post(url, json={"code": wrong}, headers=w.member.headers), 422, "checkin_code_wrong", "code"
        )
    limited = await client.post(url, json={"code": code}, headers=w.member.headers)
    refused(limited, 429, "too_many_requests", "code")
    assert int(limited.headers["Retry-After"]) >= 1
    assert any("\u4e00" <= ch <= "\u9fff" for ch in limited.json()["detail"])
    # Another organisation's count is its own.
    ok(await client.post(url, json={"code": code}, headers=w.second_member.headers))
    assert await SessionAttendance.count().where(SessionAttendance.registration == w.registration_id) == 0
    bad = assert_problem(await client.post(url, json={"code": ""}, headers=w.second_member.headers), 422)
    assert bad["errors"][0]["field"] == "code"
    assert_problem(await client.post(url, json={"code": code, "x": 1}, headers=w.second_member.headers), 422)


async def test_check_in_is_idempotent_even_with_fifty_at_once(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at() + timedelta(minutes=5))
    code = await _issue(client, w)
    url = f"/camps/sessions/{w.session_ids[0]}/checkin"
    answers = await asyncio.gather(
        *(client.post(url, json={"code": code}, headers=w.member.headers) for _ in range(50))
    )
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers if a.status_code != 200]
    times = {answer.json()["checked_in_at"] for answer in answers}
    assert len(times) == 1
    rows = await SessionAttendance.select().where(SessionAttendance.registration == w.registration_id)
    assert len(rows) == 1
    assert await AuditEntry.count().where(AuditEntry.action == "camp.checkin") == 1
    clock(w.starts_at() + timedelta(minutes=30))
    assert ok(await client.post(url, json={"code": code}, headers=w.member.headers))["checked_in_at"] in times


async def test_scope_of_check_in(client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock) -> None:
    w = attendance_world
    clock(w.starts_at())
    code = await _issue(client, w)
    url = f"/camps/sessions/{w.session_ids[0]}/checkin"
    # An organisation without a seat in the camp does not see the session at all.
    problem(await client.post(url, json={"code": code}, headers=w.outsider.headers), 404, "not_found")
    problem(
        await client.post(
            url, json={"code": code, "registration_id": w.second_registration_id}, headers=w.member.headers
        ),
        404,
        "not_found",
    )
    problem(
        await client.post("/camps/sessions/999999999/checkin", json={"code": code}, headers=w.member.headers),
        404,
        "not_found",
    )
    assert (await client.post(url, json={"code": code}, headers=w.officer.headers)).status_code == 403


async def test_officer_corrects_attendance_with_a_reason(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    session = w.session_ids[1]
    url = f"/camps/sessions/{session}/attendance/{w.registration_id}"
    refused(await client.put(url, json={"present": True}, headers=w.officer.headers), 422, "missing", "reason")
    body = assert_problem(await client.put(url, json={"present": True, "reason": " "}, headers=w.officer.headers))
    assert body["errors"][0]["field"] == "reason"
    marked = ok(
        await client.put(url, json={"present": True, "reason": "签到设备故障，现场核实到场"}, headers=w.officer.headers)
    )
    assert marked["present"] is True and marked["corrected"] is True
    absent = ok(
        await client.put(url, json={"present": False, "reason": "核实后未到场"}, headers=w.city_officer.headers)
    )
    assert absent["present"] is False and absent["reason"] == "核实后未到场"
    audits = await AuditEntry.select(AuditEntry.reason).where(AuditEntry.action == "camp.attendance.correct")
    assert [a["reason"] for a in audits] == ["签到设备故障，现场核实到场", "核实后未到场"]
    problem(
        await client.put(url, json={"present": True, "reason": "越权更正"}, headers=w.other_officer.headers),
        404,
        "not_found",
    )
    assert (
        await client.put(url, json={"present": True, "reason": "自己改"}, headers=w.member.headers)
    ).status_code == 403
    foreign = f"/camps/sessions/{session}/attendance/{w.outsider_registration_id}"
    problem(
        await client.put(foreign, json={"present": True, "reason": "别的营"}, headers=w.officer.headers),
        404,
        "not_found",
    )
    listing = await client.get(f"/camps/sessions/{session}/attendance", headers=w.officer.headers, params={"limit": 1})
    assert listing.status_code == 200 and listing.headers["X-Total-Count"] == "2"
    assert listing.headers["X-Has-More"] == "true"
    problem(
        await client.get(f"/camps/sessions/{session}/attendance", headers=w.other_officer.headers), 404, "not_found"
    )
