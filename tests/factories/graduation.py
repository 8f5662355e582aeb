"""结项评估 builders: a graduation round in a 沪社星耀 edition (its own rubric, blind flag and reviews per application)
and experts who review a graduation entry through the ordinary assignment and review routes.

The round is created and opened through the catalogue services; its ``stage`` is then set on the row, because
round create does not take a stage yet (the contest-stages part of issue 15 adds it to the API)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.auth.tables import Role
from app.timezone import now_utc
from programmes.kinds import RoundStage
from programmes.tables import Round
from tests import factories
from tests.factories import User
from tests.factories.http import ok
from tests.factories.incubation import IncubationWorld, cohort_with_projects

GRADUATION_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "title": "项目简介"},
        "beneficiaries": {"type": "integer", "title": "受益人数"},
        "contact_person": {"type": "string", "title": "联系人", "identifying": True},
        # No declared properties: a blind expert sees the project's record whole (programmes.incubation.graduation).
        "graduation": {"type": "object", "title": "结项材料"},
    },
}
GRADUATION_CRITERIA = [
    {"code": "goals", "name": "目标达成", "weight": 60, "max_score": 100},
    {"code": "sustainability", "name": "可持续与可复制", "weight": 40, "max_score": 100},
]


async def graduation_round(officer: User, edition_id: int, *, blind: bool = True, reviews: int = 2) -> dict[str, Any]:
    """An open graduation round (结项评估) of the edition, by ``officer``."""
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round, open_round

    now = now_utc()
    created = await create_round(
        officer.principal,
        edition_id,
        RoundCreate(
            name="结项评估",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=14),
            blind=blind,
            form_title="结项评估表",
            form_schema=GRADUATION_FORM,
            criteria=[CriterionIn(**c) for c in GRADUATION_CRITERIA],
            reviews_per_application=reviews,
        ),
    )
    await Round.update({Round.stage: RoundStage.graduation, Round.position: 99}).where(Round.id == created.id)
    opened = await open_round(officer.principal, created.id)
    return {**opened.model_dump(), "stage": RoundStage.graduation}


async def graduation_experts(count: int = 2) -> list[User]:
    return [await factories.user(Role.expert) for _ in range(count)]


async def review_entry(
    client: httpx.AsyncClient, officer: User, entry_id: int, experts: list[User], scores: list[tuple[int, int]]
) -> list[dict[str, Any]]:
    """Each expert is assigned by hand and submits (目标达成, 可持续与可复制); the expert's views, in order."""
    views = []
    for expert, (goals, sustainability) in zip(experts, scores, strict=True):
        assignment = ok(
            await client.post(
                "/assignments", json={"application_id": entry_id, "expert_id": expert.id}, headers=officer.headers
            ),
            201,
        )
        review = {"scores": {"goals": goals, "sustainability": sustainability}, "comment": f"{expert.id} 的评语"}
        views.append(ok(await client.post(f"/reviews/{assignment['id']}/submit", json=review, headers=expert.headers)))
    return views


async def graduate(client: httpx.AsyncClient, w: IncubationWorld, outcome: str, project_id: int | None = None) -> int:
    """The world's awarded project (in a new cohort unless ``project_id`` is given) through a graduation round with
    one submitted review, to ``outcome``; returns the project id."""
    if project_id is None:
        project_id = (await cohort_with_projects(client, w))["project_id"]
    officer = w.world.changning_officer
    grad = await graduation_round(officer, w.edition_id, reviews=1)
    url = f"/incubation/projects/{project_id}/graduation"
    started = ok(await client.post(f"{url}/start", json={"round_id": grad["id"]}, headers=officer.headers))
    await review_entry(client, officer, started["evaluation"]["entry_id"], await graduation_experts(1), [(80, 80)])
    decision = {"outcome": outcome, "reason": "结论理由"}
    ok(await client.post(url, json=decision, headers=officer.headers))
    return project_id
