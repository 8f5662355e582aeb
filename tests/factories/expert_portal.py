"""A review round for the expert's portal pages: one application with an attachment whose file name names the
applicant, assigned to two of the pool's experts, and every string that identifies the applicant (for the blind
checks: organisation name, credit code, applicant username, file name)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx

from app.auth.tables import Role
from app.organisations.tables import Organisation
from scoring.tables import ReviewAssignment
from tests import factories
from tests.factories import User
from tests.factories.applications import PDF, draft
from tests.factories.http import ok
from tests.factories.review import CANARY

FILE_NAME = f"{CANARY}项目预算.pdf"


@dataclass
class ReviewWorld:
    officer: User
    experts: list[User]
    round_id: int
    application_id: int
    member: User
    identities: list[str]  # what a blind page must never show
    mine: dict[int, int]  # expert id → their assignment id (the first two experts)


async def review_world(client: httpx.AsyncClient, *, blind: bool, experts: int = 3) -> ReviewWorld:
    officer = await factories.user(Role.officer)
    pool = [await factories.user(Role.expert) for _ in range(experts)]
    for expert in pool:
        profile = {"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 5}
        ok(await client.put(f"/experts/{expert.id}/profile", json=profile, headers=officer.headers))
    call = await factories.contest_round(officer, reviews_per_application=2, blind=blind)
    org_id, member = await factories.organisation(name=CANARY)
    created = await draft(client, member, org_id, call["id"])
    uploaded = await client.post(
        f"/applications/{created['id']}/attachments",
        headers=member.headers,
        files={"file": (FILE_NAME, io.BytesIO(PDF), "application/pdf")},
    )
    ok(uploaded, 201)
    ok(await client.post(f"/applications/{created['id']}/submit", headers=member.headers))
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    rows = await ReviewAssignment.select(ReviewAssignment.id, ReviewAssignment.expert).order_by(ReviewAssignment.id)
    mine = {int(r["expert"]): int(r["id"]) for r in rows}
    assigned = [e for e in pool if e.id in mine]
    organisation = await Organisation.select(Organisation.credit_code).where(Organisation.id == org_id).first()
    assert organisation is not None and organisation["credit_code"]
    identities = [CANARY, str(organisation["credit_code"]), member.principal.username, FILE_NAME, "项目预算"]
    return ReviewWorld(
        officer, assigned + [e for e in pool if e.id not in mine], call["id"], created["id"], member, identities, mine
    )


def revealed(world: ReviewWorld, response: httpx.Response) -> list[str]:
    return revealed_in(world.identities, response)


def revealed_in(identities: list[str], response: httpx.Response) -> list[str]:
    """The identifying strings found anywhere in a response: body, headers (file names, redirects) or URL."""
    text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items()) + str(response.url)
    return [value for value in identities if value in text or _encoded(value) in text]


def _encoded(value: str) -> str:
    from urllib.parse import quote

    return quote(value)


def as_form(values: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


async def identities_of(application_ids: list[int]) -> list[str]:
    """Every organisation name, credit code and member username behind these applications."""
    from app.organisations.tables import OrganisationMember
    from programmes.tables import Application

    rows = await Application.select(
        Application.organisation._.name.as_alias("name"),
        Application.organisation._.credit_code.as_alias("code"),
        Application.organisation.as_alias("organisation"),
    ).where(Application.id.is_in(application_ids))
    members = await OrganisationMember.select(OrganisationMember.user.username.as_alias("username")).where(
        OrganisationMember.organisation.is_in([r["organisation"] for r in rows])
    )
    found = [str(r[key]) for r in rows for key in ("name", "code") if r[key]] + [m["username"] for m in members]
    assert len(found) >= 3 * len(application_ids)
    return found


async def mentorship(application_id: int, mentor_id: int, *, live: bool = True) -> int:
    """A mentorship as the mentor plan's commit writes it (the solver itself is tested in tests/api/incubation)."""
    from app.timezone import now_utc
    from programmes.workflows.mentorship import MentorshipStatus
    from scoring.mentors.tables import Mentorship

    status = MentorshipStatus.active if live else MentorshipStatus.ended
    rows = await Mentorship.insert(
        Mentorship(application=application_id, mentor=mentor_id, status=status, created_at=now_utc())
    ).returning(Mentorship.id)
    return int(rows[0]["id"])
