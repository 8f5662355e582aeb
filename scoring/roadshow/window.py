"""Live scoring's window (决赛路演): a judge's draft or submission on an entry of a round with a roadshow session
counts only from its presentation's start to its stop plus the session's grace period, both edges included.

``scoring.reviews.reviewing`` calls ``check_live_window`` inside the unit of work that writes the review. It takes
the session row ``FOR SHARE``: ending the session (``FOR UPDATE``) waits for a scoring write under way, and a write
after the end sees ``ended`` — and the database's trigger (``roadshow_sheets_locked``) refuses it on every other
path. Rounds without a roadshow session are not affected.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.errors import DomainError, conflict, guarded_constraint
from app.timezone import now_utc
from programmes.workflows.roadshow import RoadshowStatus
from scoring.roadshow.tables import RoadshowSession

NOT_OPEN_ZH = "该项目的路演尚未开始，开始后方可评分"
CLOSED_ZH = "该项目的评分时段已结束（路演结束后的宽限时间已过），评分表已锁定"
LOCKED = conflict("scoring_window_closed", "决赛路演已结束，评分表已锁定，不能再修改评分")
guarded_constraint("roadshow_sheets_locked", LOCKED)


# The presentation states as pages show them (PresentationRead.state).
PRESENTATION_STATES_ZH = {"waiting": "待上场", "presenting": "路演中", "grace": "宽限评分中", "closed": "评分已结束"}


def window_closes_at(stopped_at: datetime | None, grace_seconds: int) -> datetime | None:
    return stopped_at + timedelta(seconds=grace_seconds) if stopped_at is not None else None


def presentation_state(started_at: datetime | None, stopped_at: datetime | None, grace: int, now: datetime) -> str:
    """waiting / presenting / grace / closed at ``now``."""
    if started_at is None or now < started_at:
        return "waiting"
    if stopped_at is None:
        return "presenting"
    closes = window_closes_at(stopped_at, grace)
    return "grace" if closes is not None and now <= closes else "closed"


def scoring_open(started_at: datetime | None, stopped_at: datetime | None, grace: int, now: datetime) -> bool:
    return presentation_state(started_at, stopped_at, grace, now) in ("presenting", "grace")


LIVE_SQL = (
    "SELECT s.id, s.status, s.grace_seconds, p.started_at, p.stopped_at"
    " FROM application a JOIN roadshow_session s ON s.round = a.round"
    " LEFT JOIN roadshow_presentation p ON p.session = s.id AND p.application = a.id"
    " WHERE a.id = {}"
)


async def live_session_of(application_id: int, *, lock: bool) -> dict[str, Any] | None:
    """The roadshow session of the application's round with the application's presentation clock, or None."""
    rows = await RoadshowSession.raw(LIVE_SQL + " FOR SHARE OF s" if lock else LIVE_SQL, application_id)
    return dict(rows[0]) if rows else None


async def check_live_window(application_id: int) -> None:
    """Refuse (409) a judge's scoring write outside the presentation's window; nothing for other rounds. Call it
    inside the transaction that writes the review."""
    row = await live_session_of(application_id, lock=True)
    if row is None:
        return
    if row["status"] == RoadshowStatus.ended:
        raise LOCKED
    now = now_utc()
    if row["status"] != RoadshowStatus.drawn or row["started_at"] is None or now < row["started_at"]:
        raise DomainError("presentation_not_open", NOT_OPEN_ZH, 409)
    closes = window_closes_at(row["stopped_at"], row["grace_seconds"])
    if closes is not None and now > closes:
        raise DomainError("scoring_window_closed", CLOSED_ZH, 409)
