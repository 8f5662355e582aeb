"""Check-in codes: the trainer (an officer in the camp's scope) issues a six-digit code for a session, shown as
text and as a QR code; a participant's organisation enters it within the session's window (± the configured
margin, both edges included). Only the code's hash is stored; issuing a new code replaces the session's old one.

Wrong codes are counted per organisation and session in Redis (``SEEDBED_RATE_LIMIT_CHECKIN_FAILURES``); past the
limit every attempt gets 429 until the window of the count passes, so six digits cannot be walked online. Checking
in twice is idempotent: the first time stays.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from redis.exceptions import RedisError

from app.auth.principal import Principal
from app.auth.rate_limit import parse_limit
from app.errors import DomainError, FieldError, invalid
from app.settings import get_settings
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.camps import attendance_rules as rules
from programmes.camps.attendance import (
    attendance_read,
    organisation_names,
    participant_session,
    session_window,
    staff_session,
)
from programmes.camps.qr import checkin_payload, checkin_qr_png
from programmes.camps.schemas_attendance import AttendanceRead, CheckinCodeRead, CheckinRequest
from programmes.camps.tables import SessionAttendance, SessionCheckinCode

log = logging.getLogger(__name__)


def _window(session: dict[str, Any]) -> rules.Window:
    return session_window(session, get_settings().checkin_margin_minutes)


async def issue_code(principal: Principal, session_id: int) -> CheckinCodeRead:
    """A fresh code for the session, valid over its whole window; the previous code stops working."""
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await staff_session(principal, session_id)
        window = _window(session)
        if now_utc() > window.closes:
            raise DomainError("checkin_window_closed", "该课程的签到时间已过，不能再生成签到码", 409)
        code = rules.new_code()
        await SessionCheckinCode.delete().where(SessionCheckinCode.session == session_id)
        await SessionCheckinCode.insert(
            SessionCheckinCode(
                session=session_id,
                code_hash=rules.hash_code(session_id, code),
                valid_from=window.opens,
                valid_until=window.closes,
                created_by=principal.user_id,
                scope_district=session["scope_district"],
            )
        )
        await uow.audit("camp.checkin_code.issue", "camp_session", session_id)
    return CheckinCodeRead(
        session_id=session_id,
        code=code,
        valid_from=window.opens,
        valid_until=window.closes,
        qr_png_url=f"/camps/sessions/{session_id}/checkin-code.png?code={code}",
    )


async def _current_hash(session_id: int) -> str | None:
    row = (
        await SessionCheckinCode.select(SessionCheckinCode.code_hash)
        .where(SessionCheckinCode.session == session_id)
        .order_by(SessionCheckinCode.id, ascending=False)
        .first()
    )
    return str(row["code_hash"]) if row else None


async def code_png(principal: Principal, session_id: int, code: str, base_url: str = "") -> bytes:
    """The QR image of the session's current code, for the trainer's screen: a link to the portal's check-in page
    at ``base_url`` with the code filled in. The code travels in the query because only its hash is stored; a stale
    or wrong code is refused rather than drawn."""
    await staff_session(principal, session_id)
    stored = await _current_hash(session_id)
    if stored is None or not rules.code_matches(session_id, code, stored):
        raise invalid("checkin_code_wrong", "签到码不是该课程当前有效的签到码", "code")
    return checkin_qr_png(checkin_payload(session_id, code, base_url))


def _failure_key(session_id: int, organisation_id: int) -> str:
    digest = hashlib.sha256(f"{session_id}:{organisation_id}".encode()).hexdigest()[:32]
    return f"{get_settings().queue_name}:rate:checkin:{digest}"


async def _failures(key: str, *, add: bool) -> tuple[int, int]:
    """(wrong attempts counted, seconds left in the count's window); Redis down → (0, 0): check-in stays open."""
    from app.queue import get_queue

    _, window = parse_limit(get_settings().rate_limit_checkin_failures)
    try:
        redis = await get_queue()
        if redis is None:
            return 0, 0
        if add:
            pipe = redis.pipeline(transaction=True)
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
            pipe.ttl(key)
            results = await pipe.execute()
            return int(results[1]), max(int(results[2]), 1)
        value = await redis.get(key)
        return (int(value), max(int(await redis.ttl(key)), 1)) if value is not None else (0, 0)
    except (RedisError, OSError):
        log.warning("check-in rate limit not applied: Redis unavailable", exc_info=True)
        return 0, 0


def _too_many(seconds: int) -> DomainError:
    detail = f"签到码错误次数过多，请 {seconds} 秒后再试"
    return DomainError(
        "too_many_requests",
        detail,
        429,
        [FieldError("code", "too_many_requests", detail)],
        headers={"Retry-After": str(seconds)},
    )


async def check_in(principal: Principal, session_id: int, data: CheckinRequest) -> AttendanceRead:
    """The caller's organisation checks in at a session with the trainer's code."""
    session, registration = await participant_session(principal, session_id, data.registration_id)
    moment = now_utc()
    window = _window(session)
    if moment < window.opens:
        raise DomainError("checkin_not_open", "签到尚未开始（课程开始前的签到时段才可签到）", 409)
    if moment > window.closes:
        raise DomainError("checkin_window_closed", "签到时间已过，请联系项目官员更正出勤", 409)
    limit, _ = parse_limit(get_settings().rate_limit_checkin_failures)
    key = _failure_key(session_id, int(registration["organisation"]))
    counted, left = await _failures(key, add=False)
    if counted >= limit:
        raise _too_many(left)
    stored = await _current_hash(session_id)
    if stored is None or not rules.code_matches(session_id, data.code, stored):
        counted, left = await _failures(key, add=True)
        if counted > limit:
            raise _too_many(left)
        raise invalid("checkin_code_wrong", "签到码错误或已失效", "code")
    async with unit_of_work(Actor.of(principal)) as uow:
        # One row per registration and session (unique index): concurrent or repeated check-ins keep the first time;
        # a row an officer marked absent takes the check-in.
        inserted = await SessionAttendance.raw(
            "INSERT INTO session_attendance (registration, session, checked_in_at, reason, scope_district, created_at)"
            " VALUES ({}, {}, {}, '', {}, now())"
            " ON CONFLICT (registration, session) DO UPDATE"
            " SET checked_in_at = COALESCE(session_attendance.checked_in_at, EXCLUDED.checked_in_at)"
            " RETURNING id, (xmax = 0) AS fresh",
            registration["id"],
            session_id,
            moment,
            session["scope_district"],
        )
        if inserted and inserted[0]["fresh"]:
            await uow.audit("camp.checkin", "camp_registration", int(registration["id"]), after={"session": session_id})
    row = (
        await SessionAttendance.select()
        .where(SessionAttendance.session == session_id, SessionAttendance.registration == registration["id"])
        .first()
    )
    names = await organisation_names([int(registration["organisation"])])
    return attendance_read(session_id, registration, row, names.get(int(registration["organisation"]), ""))
