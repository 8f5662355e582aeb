"""A staged contest edition (初赛 → 复赛 → 决赛) for the stage tests (API and admin): rounds made through the catalogue
services, entries submitted with a PDF in 初赛, and a helper that reviews and closes a stage."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories import CRITERIA, FORM, GOOD_ANSWERS, User
from tests.factories.applications import PDF
from tests.factories.http import ok
from tests.factories.notice import score

# 复赛 adds a roadshow plan and lets the applicant rewrite the summary (x-ui.stageEditable); 决赛 asks for a team.
SEMIFINAL_FORM: dict[str, Any] = {
    **FORM,
    "properties": {
        **FORM["properties"],
        "summary": {**FORM["properties"]["summary"], "x-ui": {"stageEditable": True}},
        "roadshow_plan": {"type": "string", "title": "路演计划", "minLength": 4},
    },
}
FINAL_FORM: dict[str, Any] = {
    **FORM,
    "properties": {**SEMIFINAL_FORM["properties"], "team": {"type": "string", "title": "团队介绍"}},
}
TRACKS = [{"name": "为老服务", "quota": None}, {"name": "社区治理", "quota": None}]


@dataclass
class Stages:
    officer: User
    experts: list[User]
    programme_id: int
    edition_id: int
    rounds: list[dict[str, Any]]  # 初赛, 复赛, 决赛
    entries: list[dict[str, Any]] = field(default_factory=list)  # submitted 初赛 entries, in creation order
    members: dict[int, User] = field(default_factory=dict)  # organisation id → a member


async def _round(officer: User, edition_id: int, name: str, stage: str, position: int, form: dict[str, Any]) -> Any:
    from programmes.catalogue.schemas import CriterionIn, RoundCreate, TrackIn
    from programmes.catalogue.service import create_round, open_round

    now = now_utc()
    created = await create_round(
        officer.principal,
        edition_id,
        RoundCreate(
            name=name,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            form_title=f"{name}申报书",
            form_schema=form,
            criteria=[CriterionIn(**c) for c in CRITERIA],
            tracks=[TrackIn(**t) for t in TRACKS],
            reviews_per_application=2,
            stage=stage,
            position=position,
        ),
    )
    return (await open_round(officer.principal, created.id)).model_dump()


async def staged_edition(
    client: httpx.AsyncClient, districts: list[District], district: District | None = None
) -> Stages:
    """An open 初赛 with one submitted entry (with a PDF) per district in ``districts``, all in track 为老服务; 复赛
    and 决赛 open too (a later stage admits only carried entries). ``district``: a district programme."""
    from programmes.catalogue.schemas import EditionCreate, ProgrammeCreate
    from programmes.catalogue.service import create_edition, create_programme
    from programmes.tables import ProgrammeKind

    officer = await factories.user(Role.officer, district)
    city = officer if district is None else await factories.user(Role.officer)  # the expert pool is city-wide
    experts = [await factories.user(Role.expert) for _ in range(2)]
    for expert in experts:
        profile = {"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 50}
        ok(await client.put(f"/experts/{expert.id}/profile", json=profile, headers=city.headers))
    programme = await create_programme(
        officer.principal, ProgrammeCreate(name="公益创新创业大赛", kind=ProgrammeKind.contest, scope_district=district)
    )
    edition = await create_edition(officer.principal, programme.id, EditionCreate(year=2026, title="2026"))
    rounds = [
        await _round(officer, edition.id, "初赛", "preliminary", 1, FORM),
        await _round(officer, edition.id, "复赛", "semifinal", 2, SEMIFINAL_FORM),
        await _round(officer, edition.id, "决赛", "final", 3, FINAL_FORM),
    ]
    stages = Stages(officer, experts, programme.id, edition.id, rounds)
    track = rounds[0]["tracks"][0]["id"]
    for i, where in enumerate(districts):
        org_id, member = await factories.organisation(where)
        stages.members[org_id] = member
        body = {
            "round_id": rounds[0]["id"],
            "organisation_id": org_id,
            "title": f"睦邻计划 {i + 1}",
            "answers": GOOD_ANSWERS,
            "track_id": track,
        }
        created = ok(await client.post("/applications", json=body, headers=member.headers), 201)
        ok(
            await client.post(
                f"/applications/{created['id']}/attachments",
                files={"file": ("计划书.pdf", io.BytesIO(PDF), "application/pdf")},
                headers=member.headers,
            ),
            201,
        )
        stages.entries.append(ok(await client.post(f"/applications/{created['id']}/submit", headers=member.headers)))
    return stages


async def review_and_close(client: httpx.AsyncClient, stages: Stages, round_id: int, scores: dict[int, int]) -> Any:
    """Assign the experts, score each entry (application id → score), end the window and close: the ranking."""
    ok(await client.post(f"/rounds/{round_id}/assignments", headers=stages.officer.headers), 201)
    assigned = {r["application"] for r in await ReviewAssignment.select(ReviewAssignment.application)}
    for application_id, base in scores.items():
        assert application_id in assigned
        await score(stages.experts, application_id, base)
    await factories.end_round_window(round_id)
    return ok(await client.post(f"/rounds/{round_id}/close", headers=stages.officer.headers))


def quota(**values: Any) -> dict[str, Any]:
    """A stage-advance body: ``district_quotas={"pudong": 1}`` and ``track_quotas={id: n}`` as the API lists."""
    body: dict[str, Any] = {k: v for k, v in values.items() if k not in ("district_quotas", "track_quotas")}
    body["district_quotas"] = [{"district": d, "quota": n} for d, n in values.get("district_quotas", {}).items()]
    body["track_quotas"] = [{"track_id": t, "quota": n} for t, n in values.get("track_quotas", {}).items()]
    return body


def round_body(name: str, **extra: Any) -> dict[str, Any]:
    """A POST /editions/{id}/rounds body: open for a week, the house form and criteria, ``extra`` on top."""
    now = now_utc()
    return {
        "name": name,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "form_title": f"{name}申报书",
        "form_schema": FORM,
        "criteria": CRITERIA,
        **extra,
    }


async def http_edition(client: httpx.AsyncClient, officer: User, kind: str = "contest") -> int:
    """A programme and its 2026 edition made over HTTP: the edition's id."""
    programme = ok(await client.post("/programmes", json={"name": "大赛", "kind": kind}, headers=officer.headers), 201)
    edition = ok(
        await client.post(
            f"/programmes/{programme['id']}/editions", json={"year": 2026, "title": "2026"}, headers=officer.headers
        ),
        201,
    )
    return int(edition["id"])
