"""签到 through the portal: the QR code's link lands on the session's check-in page with the code filled in; a wrong
code, a closed window and too many wrong codes are the check-in service's refusals in Chinese and write nothing; the
right code checks in once; a session of a camp where the organisation holds no seat is the uniform 404; and the
certificate's PDF downloads once the API has issued one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from app.portal.camp_checkin import checkin_path
from app.portal.errors import NOT_FOUND
from app.timezone import now_utc
from programmes.camps import checkin
from programmes.camps.qr import checkin_payload
from programmes.camps.tables import SessionAttendance
from tests.factories.attendance_world import AttendanceWorld, attendance_world_fixture
from tests.factories.http import ok
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

__all__ = ["attendance_world_fixture"]  # the pytest fixture

Clock = Callable[[datetime], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(checkin, "now_utc", lambda: moment)

    return set_to


async def _issue(client: httpx.AsyncClient, w: AttendanceWorld) -> str:
    body = ok(await client.post(f"/camps/sessions/{w.session_ids[0]}/checkin-code", headers=w.officer.headers), 201)
    return str(body["code"])


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_the_qr_link_fills_the_code_in_and_the_right_code_checks_in_once(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at() + timedelta(minutes=5))
    code = await _issue(client, w)
    link = checkin_payload(w.session_ids[0], code)
    assert link.startswith(checkin_path(w.session_ids[0]) + "?code=")
    await signed_in(client, w.member.principal.username)

    page = await client.get(link)
    assert page.status_code == 200
    assert f'value="{code}"' in page.text and 'autocomplete="one-time-code"' in page.text
    assert "第1讲" in page.text and "09:00–11:00" in page.text
    token = await csrf_token(client, link)
    before = await row_counts()

    wrong = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": _wrong(code)})
    assert wrong.status_code == 422 and 'id="code-error" role="alert">签到码错误或已失效<' in wrong.text
    empty = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": " "})
    assert empty.status_code == 422 and 'id="code-error"' in empty.text
    assert await row_counts() == before

    done = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": f" {code} "})
    assert done.status_code == 303 and done.headers["location"] == f"/portal/camps/registrations/{w.registration_id}"
    shown = await client.get(done.headers["location"])
    assert "签到成功" in shown.text
    again = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": code})
    assert again.status_code == 303
    rows = await SessionAttendance.select().where(SessionAttendance.registration == w.registration_id)
    assert len(rows) == 1 and rows[0]["checked_in_at"] is not None


async def test_outside_the_window_the_service_refuses_in_words(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at() - timedelta(hours=1))
    code = await _issue(client, w)
    await signed_in(client, w.member.principal.username)
    token = await csrf_token(client, checkin_path(w.session_ids[0]))
    before = await row_counts()
    early = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": code})
    assert early.status_code == 409 and "签到尚未开始" in early.text
    clock(w.ends_at() + timedelta(hours=1))
    late = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": code})
    assert late.status_code == 409 and "签到时间已过" in late.text
    assert await row_counts() == before


async def test_too_many_wrong_codes_wait_with_retry_after(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at())
    code = await _issue(client, w)
    await signed_in(client, w.member.principal.username)
    token = await csrf_token(client, checkin_path(w.session_ids[0]))
    statuses = [
        (await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": _wrong(code)}))
        for _ in range(6)
    ]
    assert [r.status_code for r in statuses] == [422] * 5 + [429]
    assert "签到码错误次数过多" in statuses[-1].text and int(statuses[-1].headers["retry-after"]) >= 1
    assert await SessionAttendance.count() == 0


async def test_a_session_without_a_seat_is_the_uniform_404(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld, clock: Clock
) -> None:
    w = attendance_world
    clock(w.starts_at())
    code = await _issue(client, w)
    await signed_in(client, w.outsider.principal.username)
    page = await client.get(checkin_payload(w.session_ids[0], code))
    assert page.status_code == 404 and NOT_FOUND in page.text and "第1讲" not in page.text
    token = await csrf_token(client, "/portal/")
    refused = await client.post(checkin_path(w.session_ids[0]), data={"csrf_token": token, "code": code})
    assert refused.status_code == 404
    missing = await client.get(checkin_path(2**31 - 1))
    assert missing.status_code == 404
    assert await SessionAttendance.count() == 0


async def test_the_certificate_downloads_once_issued(
    client: httpx.AsyncClient, attendance_world: AttendanceWorld
) -> None:
    w = attendance_world
    await signed_in(client, w.member.principal.username)
    page = await client.get(f"/portal/camps/registrations/{w.registration_id}")
    assert page.status_code == 200 and "下载结业证书" not in page.text
    pdf_url = f"/portal/camps/registrations/{w.registration_id}/certificate.pdf"
    assert (await client.get(pdf_url)).status_code == 404
    for session_id in w.session_ids[:4]:  # 4 of 5 sessions: the camp's 80 %
        await SessionAttendance.insert(
            SessionAttendance(
                registration=w.registration_id, session=session_id, checked_in_at=now_utc(), scope_district="changning"
            )
        )
    ok(await client.post(f"/camps/{w.camp_id}/certificates", headers=w.officer.headers))

    page = await client.get(f"/portal/camps/registrations/{w.registration_id}")
    assert f'href="{pdf_url}"' in page.text
    pdf = await client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    other = await client.get(f"/portal/camps/registrations/{w.second_registration_id}/certificate.pdf")
    assert other.status_code == 404
