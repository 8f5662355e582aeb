"""A final round (决赛) ready for its roadshow: experts assigned to every entry, a session committed — and a
controllable clock for the live-scoring window (``scoring.roadshow.window.now_utc``), so tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

from app.auth.tables import Account, Role
from app.reference import District
from scoring.roadshow import window
from tests import factories
from tests.factories import User
from tests.factories.applications import submitted
from tests.factories.http import ok

Clock = Callable[[datetime], None]


@pytest.fixture(name="window_clock")
def window_clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Set the live-scoring window's "now" (the presentation clock itself runs on real time)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(window, "now_utc", lambda: moment)

    return set_to


@dataclass
class Final:
    officer: User
    judges: list[User]
    round: dict[str, Any]
    entries: list[int]  # application ids, ascending
    members: list[User]  # each entry's applicant (verified accounts: a mobile number on record)
    session: dict[str, Any] = field(default_factory=dict)

    def presentation(self, application_id: int) -> dict[str, Any]:
        return next(p for p in self.session["presentations"] if p["application_id"] == application_id)


async def final_round(
    client: httpx.AsyncClient,
    *,
    judges: int = 3,
    entries: int = 3,
    district: District | None = None,
    blind: bool = True,
    vote_weight_percent: int = 0,
    grace_seconds: int = 60,
    commit: bool = True,
    allow_na: tuple[str, ...] = (),
) -> Final:
    """An open final round with ``entries`` submitted entries, each assigned to every one of ``judges`` experts
    (the assignment solver, COI rules as usual), and — unless ``commit=False`` — its roadshow session committed.
    ``allow_na`` names the criteria that may be marked 不适用."""
    officer = await factories.user(Role.officer, district)
    pool = [await factories.user(Role.expert) for _ in range(judges)]
    keeper = await factories.user(Role.officer)  # the expert pool is the city's
    for expert in pool:
        ok(
            await client.put(
                f"/experts/{expert.id}/profile",
                json={"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 10},
                headers=keeper.headers,
            )
        )
    call = await factories.contest_round(officer, district=district, blind=blind, reviews_per_application=judges)
    # The round is the edition's final, set through the round API (before any entry: the order locks after).
    ok(await client.patch(f"/rounds/{call['id']}", json={"stage": "final"}, headers=officer.headers))
    if allow_na:  # before the assignments: a round under review keeps its criteria
        from programmes.tables import Criterion

        await Criterion.update({Criterion.allow_na: True}).where(
            (Criterion.round == call["id"]) & Criterion.code.is_in(list(allow_na))
        )
    members, ids = [], []
    for _ in range(entries):
        org_id, member = await factories.organisation(district=district or District.changning)
        ids.append((await submitted(client, member, org_id, call["id"]))["id"])
        members.append(member)
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    final = Final(officer, pool, call, sorted(ids), members)
    if commit:
        body = {"grace_seconds": grace_seconds, "vote_weight_percent": vote_weight_percent}
        final.session = ok(await client.post(f"/rounds/{call['id']}/roadshow", json=body, headers=officer.headers), 201)
    return final


async def drawn(client: httpx.AsyncClient, final: Final) -> dict[str, Any]:
    final.session = ok(
        await client.post(f"/roadshow-sessions/{final.session['id']}/draw", headers=final.officer.headers)
    )
    return final.session


async def assignment_of(judge: User, application_id: int) -> int:
    from scoring.tables import ReviewAssignment

    row = (
        await ReviewAssignment.select(ReviewAssignment.id)
        .where((ReviewAssignment.expert == judge.id) & (ReviewAssignment.application == application_id))
        .first()
    )
    assert row is not None
    return int(row["id"])


async def score(
    client: httpx.AsyncClient, judge: User, application_id: int, innovation: int, feasibility: int
) -> httpx.Response:
    """The judge submits live through the review API."""
    assignment = await assignment_of(judge, application_id)
    body = {"scores": {"innovation": innovation, "feasibility": feasibility}, "comment": "路演表现"}
    return await client.post(f"/reviews/{assignment}/submit", json=body, headers=judge.headers)


async def present(client: httpx.AsyncClient, final: Final, application_id: int, stop: bool = True) -> dict[str, Any]:
    """Start (and stop) an entry's presentation as the officer."""
    pid = final.presentation(application_id)["id"]
    shown = ok(await client.post(f"/roadshow-presentations/{pid}/start", headers=final.officer.headers))
    if stop:
        shown = ok(await client.post(f"/roadshow-presentations/{pid}/stop", headers=final.officer.headers))
    return dict(shown)


async def unverify(user: User) -> None:
    await Account.update({Account.mobile: None}).where(Account.user == user.id)


async def verify(user: User, mobile: str = "13900000000") -> None:
    await Account.update({Account.mobile: mobile}).where(Account.user == user.id)
