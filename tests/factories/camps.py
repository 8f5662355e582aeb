"""Camp builders: a small world (officers of two districts, organisations of two districts and kinds) and the
bodies the camp API tests send; ``open_camp`` makes a camp through the API, the way an officer would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from app.organisations.tables import OrganisationType
from app.reference import District
from app.timezone import today_shanghai
from tests import factories
from tests.factories import User
from tests.factories.http import ok


@dataclass
class CampWorld:
    city_officer: User
    changning_officer: User
    pudong_officer: User
    org_id: int  # 长宁 social service institution
    member: User
    other_org_id: int  # 浦东 social service institution
    other_member: User
    group_id: int  # 长宁 filed community group (not registered)
    group_member: User


@pytest.fixture
async def camp_world(client: object) -> CampWorld:
    org_id, member = await factories.organisation(District.changning)
    other_id, other = await factories.organisation(District.pudong)
    group_id, group_member = await factories.organisation(
        District.changning, OrganisationType.filed_community_group, custodian_id=org_id
    )
    return CampWorld(
        city_officer=await factories.user(Role.officer),
        changning_officer=await factories.user(Role.officer, District.changning),
        pudong_officer=await factories.user(Role.officer, District.pudong),
        org_id=org_id,
        member=member,
        other_org_id=other_id,
        other_member=other,
        group_id=group_id,
        group_member=group_member,
    )


def camp_body(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "brand",
        "title": "2026 品牌塑造营（第一期）",
        "audience": "any_registered",
        "capacity": 2,
        "district": "changning",
        **overrides,
    }


def session_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "品牌定位与传播",
        "session_date": (today_shanghai() + timedelta(days=7)).isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "place": "长宁区社会组织服务中心 301 室",
        "trainer": "李老师",
        **overrides,
    }


def registration_body(organisation_id: int, *mobiles: str) -> dict[str, Any]:
    people = mobiles or ("13800138000",)
    return {
        "organisation_id": organisation_id,
        "participants": [{"name": f"学员{n}", "position": "项目主管", "mobile": m} for n, m in enumerate(people)],
    }


async def open_camp(client: httpx.AsyncClient, officer: User, **overrides: Any) -> dict[str, Any]:
    camp = ok(await client.post("/camps", json=camp_body(**overrides), headers=officer.headers), 201)
    return ok(await client.post(f"/camps/{camp['id']}/open", headers=officer.headers))  # type: ignore[no-any-return]


async def organisations(count: int, district: District = District.changning) -> list[tuple[int, User]]:
    """``count`` registered organisations with a member each (for the races)."""
    return [await factories.organisation(district) for _ in range(count)]


async def application_in(round_id: int, organisation_id: int, status: str) -> int:
    """An application row in ``status`` (a shortcut past review: the camp rules only read the outcome)."""
    from app.timezone import now_utc
    from programmes.tables import Application

    rows = await Application.insert(
        Application(
            round=round_id,
            organisation=organisation_id,
            title="社区助老项目",
            status=status,
            created_at=now_utc(),
            updated_at=now_utc(),
        )
    ).returning(Application.id)
    return int(rows[0]["id"])


async def selected_in_support_plan(officer: User, organisation_id: int) -> int:
    """A 沪社星耀 edition whose cohort holds a project of ``organisation_id``; returns the edition id."""
    from app.timezone import now_utc
    from programmes.incubation.tables import Cohort, SupportedProject

    round_ = await factories.contest_round(officer, kind="support_plan")
    application_id = await application_in(round_["id"], organisation_id, "selected")
    cohort = await Cohort.insert(
        Cohort(edition=round_["edition_id"], name="2026 年第一期", created_at=now_utc())
    ).returning(Cohort.id)
    await SupportedProject.insert(
        SupportedProject(
            cohort=cohort[0]["id"],
            application=application_id,
            organisation=organisation_id,
            title="社区助老项目",
            status="in_progress",
            created_at=now_utc(),
        )
    )
    return int(round_["edition_id"])


async def contest_winner(officer: User, organisation_id: int) -> None:
    """An active award of a 公益创新创业大赛 to ``organisation_id``."""
    from app.timezone import now_utc
    from programmes.tables import Award, BudgetLine, FundSource

    round_ = await factories.contest_round(officer)
    application_id = await application_in(round_["id"], organisation_id, "awarded")
    source = await FundSource.insert(FundSource(name="福利彩票公益金", kind="welfare_lottery")).returning(FundSource.id)
    line = await BudgetLine.insert(
        BudgetLine(edition=round_["edition_id"], fund_source=source[0]["id"], amount_fen=10**8, created_at=now_utc())
    ).returning(BudgetLine.id)
    await Award.insert(
        Award(
            application=application_id,
            budget_line=line[0]["id"],
            amount_fen=100_000,
            payee=organisation_id,
            status="active",
            created_at=now_utc(),
        )
    )
