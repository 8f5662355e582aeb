"""A ranked and published round whose experts submitted over HTTP with shareable and private comments (the
applicant feedback tests of issue 15)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from scoring.publication.service import publish
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories import User
from tests.factories.http import ok
from tests.factories.review import setup_round

SHARED = "项目思路清晰，建议补充预算测算依据"
PRIVATE = "内部意见：机构负责人与评审存在过往合作，仅供官员参考"


@dataclass
class ReviewedNotice:
    officer: User
    experts: list[User]
    round_id: int
    publication_id: int
    ranking: list[int]  # application ids, best first
    members: dict[int, User]  # application id → a member of its organisation
    scores: dict[int, list[dict[str, int]]]  # application id → the submitted scores, one per review


async def reviewed_notice(client: httpx.AsyncClient) -> ReviewedNotice:
    """Three applications, two reviews each: the first review shares its comment, the second keeps it private.
    Application i scores 80 − 10·i (± the reviewer's offset); the top two are listed in the 公示."""
    world = await setup_round(client, experts=2, applications=3)
    officer, call = world["officer"], world["round"]
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    scores: dict[int, list[dict[str, int]]] = {}
    for i, (_, _, application) in enumerate(world["apps"]):
        rows = (
            await ReviewAssignment.select()
            .where(ReviewAssignment.application == application["id"])
            .order_by(ReviewAssignment.id)
        )
        for j, row in enumerate(rows):
            expert = next(e for e in world["experts"] if e.id == row["expert"])
            given = {"innovation": 80 - 10 * i + 4 * j, "feasibility": 70 - 10 * i + 2 * j}
            body = {"scores": given, "comment": SHARED if j == 0 else PRIVATE, "comment_shareable": j == 0}
            ok(await client.post(f"/reviews/{row['id']}/submit", json=body, headers=expert.headers))
            scores.setdefault(application["id"], []).append(given)
    await factories.end_round_window(call["id"])
    ranking = [
        r["application_id"] for r in ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    ]
    publication = await publish(officer.principal, call["id"], 7, 2, None)
    return ReviewedNotice(
        officer=officer,
        experts=world["experts"],
        round_id=call["id"],
        publication_id=publication.id,
        ranking=ranking,
        members={application["id"]: member for _, member, application in world["apps"]},
        scores=scores,
    )
