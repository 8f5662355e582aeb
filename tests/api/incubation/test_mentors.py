"""Mentors (导师): officers flag experts as mentors, preview and commit the reviewer solver's plan (k mentors per
supported project, load caps, the reviewers' conflict-of-interest rules); mentors log meetings the project and
officers in scope read; the project rates its mentor at or after graduation; scope answers 404."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from app.auth.tables import Role
from app.timezone import now_utc
from programmes.applications.schemas import ApplicationCreate
from programmes.applications.service import create_draft, submit
from programmes.incubation.tables import Cohort as CohortRow
from programmes.incubation.tables import SupportedProject
from programmes.tables import Application, Round
from scoring.mentors.tables import MentorMeeting, Mentorship
from scoring.tables import ExpertAffiliation, ExpertProfile
from tests import factories
from tests.factories import GOOD_ANSWERS, User
from tests.factories.http import ok, problem, refused
from tests.factories.world import World

BASE = "/mentors"


@dataclass
class Cohort:
    round_id: int
    project: int  # the changning organisation's supported project
    other_project: int  # the pudong organisation's
    mentor: User  # affiliated with the changning organisation: never its mentor
    other_mentor: User


async def _mentor(client: httpx.AsyncClient, world: World, max_projects: int = 1) -> User:
    expert = await factories.user(Role.expert)
    await ExpertProfile.insert(ExpertProfile(expert=expert.id, domains=["品牌传播"]))
    body = {"mentor": True, "domains": ["品牌传播"], "max_projects": max_projects}
    ok(await client.put(f"{BASE}/profiles/{expert.id}", json=body, headers=world.city_officer.headers))
    return expert


async def _selected(world: World, round_id: int, member: User, org_id: int) -> int:
    draft = await create_draft(
        member.principal,
        ApplicationCreate(round_id=round_id, organisation_id=org_id, title="扶持项目", answers=GOOD_ANSWERS),
    )
    await submit(member.principal, draft.id)
    await Application.update({Application.status: "selected"}).where(Application.id == draft.id)
    return draft.id


@pytest.fixture
async def cohort(client: httpx.AsyncClient, world: World) -> Cohort:
    round_id = int((await factories.contest_round(world.city_officer, kind="support_plan"))["id"])
    project = await _selected(world, round_id, world.applicant, world.org_id)
    other = await _selected(world, round_id, world.other_applicant, world.other_org_id)
    mentor = await _mentor(client, world)
    other_mentor = await _mentor(client, world)
    await ExpertAffiliation.insert(ExpertAffiliation(expert=mentor.id, organisation=world.org_id, relation="adviser"))
    return Cohort(round_id, project, other, mentor, other_mentor)


async def test_preview_then_commit_respects_conflicts_and_is_idempotent(
    client: httpx.AsyncClient, world: World, cohort: Cohort
) -> None:
    url = f"{BASE}/rounds/{cohort.round_id}"
    plan = ok(await client.post(f"{url}/preview", json={"mentors_per_project": 1}, headers=world.city_officer.headers))
    pairs = {(p["application_id"], p["mentor_id"]) for p in plan["pairs"]}
    # The mentor who advises the changning organisation gets the pudong project, never its own organisation's.
    assert pairs == {(cohort.project, cohort.other_mentor.id), (cohort.other_project, cohort.mentor.id)}
    assert await Mentorship.count() == 0  # a preview writes nothing
    problem(await client.post(f"{url}/commit", json={}, headers=world.pudong_officer.headers), 404, "not_found")
    problem(await client.post(f"{url}/commit", json={}, headers=world.applicant.headers), 403, "forbidden")
    committed = ok(await client.post(f"{url}/commit", json={}, headers=world.city_officer.headers), 201)
    assert len(committed["pairs"]) == 2 and await Mentorship.count() == 2
    again = ok(await client.post(f"{url}/commit", json={}, headers=world.city_officer.headers), 201)
    assert again["pairs"] == [] and await Mentorship.count() == 2
    # k = 2 exceeds the pool once conflicts and load caps (1 each) count: refused with the shortfall.
    body = problem(
        await client.post(f"{url}/commit", json={"mentors_per_project": 2}, headers=world.city_officer.headers),
        409,
        "mentor_assignment_infeasible",
    )
    assert body["errors"]
    notices = ok(await client.get("/notifications/mine", headers=cohort.mentor.headers))
    assert any(n["title"] == "导师陪伴任务" for n in notices)


async def test_fifty_concurrent_commits_write_each_pair_once(
    client: httpx.AsyncClient, world: World, cohort: Cohort
) -> None:
    url = f"{BASE}/rounds/{cohort.round_id}/commit"
    responses = await asyncio.gather(
        *(client.post(url, json={}, headers=world.city_officer.headers) for _ in range(50))
    )
    assert {r.status_code for r in responses} == {201}
    assert sum(len(r.json()["pairs"]) for r in responses) == 2
    assert await Mentorship.count() == 2


async def test_bad_input_and_wrong_rounds(client: httpx.AsyncClient, world: World, cohort: Cohort) -> None:
    headers = world.city_officer.headers
    refused(
        await client.put(f"{BASE}/profiles/{cohort.mentor.id}", json={"max_projects": 0}, headers=headers),
        422,
        "validation_failed",
        "max_projects",
    )
    problem(await client.put(f"{BASE}/profiles/{world.applicant.id}", json={}, headers=headers), 404, "not_found")
    refused(
        await client.post(f"{BASE}/rounds/{cohort.round_id}/preview", json={"mentors_per_project": 0}, headers=headers),
        422,
        "validation_failed",
        "mentors_per_project",
    )
    refused(
        await client.post(f"{BASE}/rounds/{world.round['id']}/preview", json={}, headers=headers),
        422,
        "round_not_support_plan",
        "round_id",
    )
    pool = ok(await client.get(f"{BASE}/profiles", headers=headers))
    assert {p["expert_id"] for p in pool} == {cohort.mentor.id, cohort.other_mentor.id}


async def _in_cohort(round_id: int, application_id: int, org_id: int) -> int:
    """The supported project of ``application_id`` in a cohort of its edition, in progress."""
    found = await Round.select(Round.edition).where(Round.id == round_id).first()
    assert found is not None
    cohort = await CohortRow.insert(CohortRow(edition=found["edition"], name="2026 第一期")).returning(CohortRow.id)
    rows = await SupportedProject.insert(
        SupportedProject(cohort=cohort[0]["id"], application=application_id, organisation=org_id, title="扶持项目")
    ).returning(SupportedProject.id)
    return int(rows[0]["id"])


async def test_meetings_and_one_rating_at_graduation(client: httpx.AsyncClient, world: World, cohort: Cohort) -> None:
    ok(await client.post(f"{BASE}/rounds/{cohort.round_id}/commit", json={}, headers=world.city_officer.headers), 201)
    mine = ok(await client.get(f"{BASE}/mentorships", headers=world.applicant.headers))
    assert [m["application_id"] for m in mine] == [cohort.project]
    mentorship = mine[0]
    assert mentorship["mentor_id"] == cohort.other_mentor.id
    url = f"{BASE}/mentorships/{mentorship['id']}"
    meeting = {
        "met_on": str(now_utc().date()),
        "topic": "品牌定位",
        "advice": "聚焦独居老人",
        "follow_ups": "两周内交方案",
    }
    problem(await client.post(f"{url}/meetings", json=meeting, headers=cohort.mentor.headers), 404, "not_found")
    problem(await client.post(f"{url}/meetings", json=meeting, headers=world.applicant.headers), 403, "forbidden")
    future = {**meeting, "met_on": str(now_utc().date() + timedelta(days=3))}
    refused(
        await client.post(f"{url}/meetings", json=future, headers=cohort.other_mentor.headers),
        422,
        "meeting_in_future",
        "met_on",
    )
    refused(
        await client.post(f"{url}/meetings", json={**meeting, "topic": "x"}, headers=cohort.other_mentor.headers),
        422,
        "validation_failed",
        "topic",
    )
    ok(await client.post(f"{url}/meetings", json=meeting, headers=cohort.other_mentor.headers), 201)
    for reader in (world.applicant, world.city_officer, cohort.other_mentor):
        logged = ok(await client.get(f"{url}/meetings", headers=reader.headers))
        assert [m["advice"] for m in logged] == ["聚焦独居老人"]
    for outsider in (world.other_applicant, world.pudong_officer, cohort.mentor):
        problem(await client.get(f"{url}/meetings", headers=outsider.headers), 404, "not_found")
    assert ok(await client.get(f"{BASE}/mentorships", headers=world.pudong_officer.headers)) == []
    # Rating: at or after graduation (结项评估 started or decided), once, by the project only.
    rating = {"score": 5, "comment": "很有帮助"}
    problem(await client.post(f"{url}/rating", json=rating, headers=world.applicant.headers), 409, "rating_not_yet")
    project = await _in_cohort(cohort.round_id, cohort.project, world.org_id)
    problem(await client.post(f"{url}/rating", json=rating, headers=world.applicant.headers), 409, "rating_not_yet")
    await SupportedProject.update({SupportedProject.status: "passed"}).where(SupportedProject.id == project)
    refused(
        await client.post(f"{url}/rating", json={"score": 6}, headers=world.applicant.headers),
        422,
        "validation_failed",
        "score",
    )
    problem(await client.post(f"{url}/rating", json=rating, headers=world.other_applicant.headers), 404, "not_found")
    problem(await client.post(f"{url}/rating", json=rating, headers=cohort.other_mentor.headers), 403, "forbidden")
    assert ok(await client.post(f"{url}/rating", json=rating, headers=world.applicant.headers), 201)["score"] == 5
    problem(await client.post(f"{url}/rating", json=rating, headers=world.applicant.headers), 409, "rating_exists")
    # An officer ends the mentorship with a reason: no more meetings, and the pair is not proposed again.
    refused(
        await client.post(f"{url}/end", json={"reason": ""}, headers=world.city_officer.headers),
        422,
        "validation_failed",
        "reason",
    )
    ended = ok(await client.post(f"{url}/end", json={"reason": "项目调整"}, headers=world.city_officer.headers), 201)
    assert ended["status"] == "ended"
    problem(
        await client.post(f"{url}/meetings", json=meeting, headers=cohort.other_mentor.headers), 409, "mentorship_ended"
    )
    assert await MentorMeeting.count() == 1
