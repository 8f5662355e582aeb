"""A small world for API tests: two districts' worth of programmes, people and objects in every slice state.

``world`` is a pytest fixture: tests/api/conftest.py provides it to the API tests; tests elsewhere import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from piccolo.engine import engine_finder

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories import GOOD_ANSWERS, User


@dataclass
class World:
    admin: User
    city_officer: User
    changning_officer: User
    pudong_officer: User
    expert: User
    other_expert: User
    applicant: User
    other_applicant: User
    org_id: int
    other_org_id: int
    round: dict[str, Any]  # city-level contest round, open
    pudong_round: dict[str, Any]  # a pudong district programme's round, open
    draft_id: int
    submitted_id: int
    pudong_application_id: int
    assignment_id: int
    community: User  # a community account (聚力计划), member of no community yet


async def build_world() -> World:
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign

    admin = await factories.user(Role.admin)
    community = await factories.user(Role.community)
    city = await factories.user(Role.officer)
    changning = await factories.user(Role.officer, District.changning)
    pudong = await factories.user(Role.officer, District.pudong)
    expert = await factories.user(Role.expert)
    other_expert = await factories.user(Role.expert)
    org_id, applicant = await factories.organisation(District.changning)
    other_org_id, other_applicant = await factories.organisation(District.pudong)
    contest = await factories.contest_round(city)
    pudong_round = await factories.contest_round(pudong, district=District.pudong)

    draft = await create_draft(
        applicant.principal, ApplicationCreate(round_id=contest["id"], organisation_id=org_id, title="草稿申报")
    )
    other = await create_draft(
        other_applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=other_org_id, title="已提交申报", answers=GOOD_ANSWERS
        ),
    )
    await submit(other_applicant.principal, other.id)
    pudong_app = await create_draft(
        other_applicant.principal,
        ApplicationCreate(
            round_id=pudong_round["id"], organisation_id=other_org_id, title="浦东申报", answers=GOOD_ANSWERS
        ),
    )
    await submit(other_applicant.principal, pudong_app.id)
    assignment = await assign(city.principal, AssignmentCreate(application_id=other.id, expert_id=expert.id))
    return World(
        admin,
        city,
        changning,
        pudong,
        expert,
        other_expert,
        applicant,
        other_applicant,
        org_id,
        other_org_id,
        contest,
        pudong_round,
        draft.id,
        other.id,
        pudong_app.id,
        assignment.id,
        community,
    )


@pytest.fixture
async def world(client: object) -> World:
    return await build_world()


async def row_counts() -> dict[str, int]:
    """Rows per table: 'nothing written' means this is unchanged."""
    engine = engine_finder()
    assert engine is not None
    tables = await engine.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migration', 'sessions')"
    )
    counts: dict[str, int] = {}
    for row in tables:
        # Table names come from pg_tables itself, not from input.
        result = await engine.run_ddl(f'SELECT count(*) AS n FROM "{row["tablename"]}"')  # noqa: S608
        counts[row["tablename"]] = int(result[0]["n"])
    return counts
