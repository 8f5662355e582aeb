"""The whole contest over HTTP (issue 15's journey test): an edition with 区级推荐 → 初赛 → 复赛 → 决赛 rounds made
and opened through the round API, entries applied with a PDF, experts reviewing through the review API, and the
small steps the journey repeats (find a carried entry, check what it carries, refuse a non-advanced organisation)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories import GOOD_ANSWERS, User
from tests.factories.applications import PDF
from tests.factories.http import ok, refused
from tests.factories.stages import FINAL_FORM, SEMIFINAL_FORM, TRACKS, http_edition, round_body

STAGES = (
    ("区级推荐", "district_recommendation", None),
    ("初赛", "preliminary", None),
    ("复赛", "semifinal", SEMIFINAL_FORM),
    ("决赛", "final", FINAL_FORM),
)


@dataclass
class Contest:
    city: User
    district_officers: dict[District, User]
    experts: list[User]
    edition_id: int
    rounds: list[int]  # 区级推荐, 初赛, 复赛, 决赛
    orgs: dict[str, int] = field(default_factory=dict)  # label → organisation id
    members: dict[str, User] = field(default_factory=dict)  # label → a member
    entries: dict[str, int] = field(default_factory=dict)  # label → the entry in the current stage


async def contest(client: httpx.AsyncClient, applicants: dict[str, District]) -> Contest:
    """A city contest edition whose four stages are made and opened over HTTP, and one submitted entry with a PDF
    in 区级推荐 per ``applicants`` label (an organisation of that district)."""
    city = await factories.user(Role.officer)
    experts = [await factories.user(Role.expert) for _ in range(2)]
    for expert in experts:
        profile = {"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 50}
        ok(await client.put(f"/experts/{expert.id}/profile", json=profile, headers=city.headers))
    edition = await http_edition(client, city)
    rounds, tracks = [], []
    for position, (name, stage, form) in enumerate(STAGES, start=1):
        body = round_body(name, stage=stage, position=position, reviews_per_application=2, tracks=TRACKS)
        if form is not None:
            body["form_schema"] = form
        made = ok(await client.post(f"/editions/{edition}/rounds", json=body, headers=city.headers), 201)
        ok(await client.post(f"/rounds/{made['id']}/open", headers=city.headers))
        rounds.append(int(made["id"]))
        tracks.append(int(made["tracks"][0]["id"]))  # 为老服务, the experts' domain
    officers = {d: await factories.user(Role.officer, d) for d in set(applicants.values())}
    world = Contest(city, officers, experts, edition, rounds)
    for label, district in applicants.items():
        org_id, member = await factories.organisation(district)
        world.orgs[label], world.members[label] = org_id, member
        body = {"round_id": rounds[0], "organisation_id": org_id, "title": f"睦邻计划{label}", "answers": GOOD_ANSWERS}
        body["track_id"] = tracks[0]
        created = ok(await client.post("/applications", json=body, headers=member.headers), 201)
        files = {"file": ("计划书.pdf", io.BytesIO(PDF), "application/pdf")}
        ok(await client.post(f"/applications/{created['id']}/attachments", files=files, headers=member.headers), 201)
        ok(await client.post(f"/applications/{created['id']}/submit", headers=member.headers))
        world.entries[label] = int(created["id"])
    return world


async def carried_entries(client: httpx.AsyncClient, world: Contest, round_id: int) -> dict[str, int]:
    """The stage's entries as the city lists them, by organisation label."""
    listed = ok(await client.get(f"/rounds/{round_id}/applications?limit=100", headers=world.city.headers))
    by_org = {a["organisation_id"]: a["id"] for a in listed}
    return {label: by_org[org] for label, org in world.orgs.items() if org in by_org}


async def assert_carried(
    client: httpx.AsyncClient, world: Contest, label: str, entry_id: int, round_id: int, answers: dict[str, Any]
) -> None:
    """The member reads the entry in ``round_id``, submitted, with ``answers`` and the PDF carried."""
    member = world.members[label]
    seen = ok(await client.get(f"/applications/{entry_id}", headers=member.headers))
    assert seen["round_id"] == round_id and seen["status"] == "submitted"
    assert {k: seen["answers"].get(k) for k in answers} == answers
    files = ok(await client.get(f"/applications/{entry_id}/attachments", headers=member.headers))
    assert [f["filename"] for f in files] == ["计划书.pdf"]


async def refused_entry(client: httpx.AsyncClient, world: Contest, label: str, round_id: int) -> None:
    """A non-advanced organisation applying straight into a later stage: 409, and no entry there."""
    body = {"round_id": round_id, "organisation_id": world.orgs[label], "title": "直接申报", "answers": GOOD_ANSWERS}
    refused(
        await client.post("/applications", json=body, headers=world.members[label].headers),
        409,
        "round_admits_advanced_only",
    )
    assert label not in await carried_entries(client, world, round_id)


async def review(client: httpx.AsyncClient, world: Contest, round_id: int, scores: dict[int, int]) -> list[Any]:
    """Assign the experts; each submits its assignments over HTTP (scores per entry, a shareable comment from the
    first expert); the window ends and the round closes: the ranking."""
    made = ok(await client.post(f"/rounds/{round_id}/assignments", headers=world.city.headers), 201)
    assert len(made["pairs"]) == 2 * len(scores), made  # two experts per entry
    await expert_scores(client, world, round_id, scores)
    await factories.end_round_window(round_id)
    return ok(await client.post(f"/rounds/{round_id}/close", headers=world.city.headers))  # type: ignore[no-any-return]


async def expert_scores(
    client: httpx.AsyncClient, world: Contest, round_id: int, scores: dict[int, int], only: set[int] | None = None
) -> None:
    """Every expert submits its assignments of ``round_id`` (of the entries in ``only``, if given)."""
    for n, expert in enumerate(world.experts):
        mine = ok(await client.get("/reviews/mine?limit=100", headers=expert.headers))
        for assignment in mine:
            entry = assignment["application_id"]
            if assignment["round_id"] != round_id or (only is not None and entry not in only):
                continue
            given = scores[entry]
            body = {
                "scores": {"innovation": given, "feasibility": given - n},
                "comment": "需求调研扎实，建议细化成效指标" if n == 0 else "仅供项目官员参考",
                "comment_shareable": n == 0,
            }
            ok(await client.post(f"/reviews/{assignment['assignment_id']}/submit", json=body, headers=expert.headers))
