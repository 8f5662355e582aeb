"""A closed, ranked and published contest round for the 公示 / re-review tests (API and admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from app.timezone import now_utc
from scoring.publication.service import publish
from scoring.reviews.reviewing import submit as submit_review
from scoring.reviews.schemas import ReviewDraft
from scoring.tables import Publication, ReviewAssignment
from tests import factories
from tests.factories import User
from tests.factories.http import ok
from tests.factories.review import setup_round


@dataclass
class Notice:
    officer: User
    experts: list[User]
    round_id: int
    publication_id: int
    ranking: list[int]  # application ids, best first
    listed: list[int]
    members: dict[int, User]  # application id → a member of its organisation


async def score(experts: list[User], application_id: int, base: int) -> None:
    """Every open assignment of ``application_id`` submitted with scores around ``base``."""
    for row in await ReviewAssignment.select().where(
        (ReviewAssignment.application == application_id) & (ReviewAssignment.status == "assigned")
    ):
        expert = next(e for e in experts if e.id == row["expert"])
        await submit_review(expert.principal, row["id"], ReviewDraft(scores={"innovation": base, "feasibility": base}))


async def closed_round(client: httpx.AsyncClient) -> tuple[dict[str, Any], list[int]]:
    """A city contest round with three applications, reviewed (scores 80, 70, 60) and closed: the world of
    ``setup_round`` and the ranking (application ids, best first), not yet published."""
    world = await setup_round(client, experts=2, applications=3)
    officer, call = world["officer"], world["round"]
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    for i, (_, _, application) in enumerate(world["apps"]):
        await score(world["experts"], application["id"], 80 - 10 * i)
    await factories.end_round_window(call["id"])
    ranking = [
        r["application_id"] for r in ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    ]
    return world, ranking


async def published_round(client: httpx.AsyncClient, top_n: int = 2) -> Notice:
    world, ranking = await closed_round(client)
    officer, call = world["officer"], world["round"]
    publication = await publish(officer.principal, call["id"], 7, top_n, None)
    return Notice(
        officer=officer,
        experts=world["experts"],
        round_id=call["id"],
        publication_id=publication.id,
        ranking=ranking,
        listed=[e.application_id for e in publication.entries],
        members={application["id"]: member for _, member, application in world["apps"]},
    )


async def end_notice(publication_id: int) -> None:
    """Tests cannot wait N days: move the notice period into the past."""
    await Publication.update(
        {Publication.starts_at: now_utc() - timedelta(days=7), Publication.ends_at: now_utc() - timedelta(seconds=1)}
    ).where(Publication.id == publication_id)


def notification_kinds(rows: list[dict[str, Any]]) -> set[str]:
    return {r["kind"] for r in rows}
