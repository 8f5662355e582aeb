"""沪社星耀 incubation builders: a changning 沪社星耀 edition with one awarded application (plan: 30 % on signing,
paid; 40 % after milestone report 1, overdue; 30 % after the final report) and one selected application, written
straight into the tables (the award machinery is tested in tests/api/money and tests/api/after_award)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from app.reference import District
from app.timezone import SHANGHAI, now_utc, today_shanghai
from programmes.camps.tables import Camp, CampRegistration, CampSession, SessionAttendance
from programmes.reports.tables import ProgressReport
from programmes.tables import Application, Award, BudgetLine, FundSource, Tranche
from tests import factories
from tests.factories.http import ok
from tests.factories.world import World

AMOUNT = 1_000_000


@dataclass
class IncubationWorld:
    world: World
    edition_id: int
    round_id: int
    awarded_id: int  # the world's changning organisation's awarded application
    selected_id: int  # a second changning organisation's selected application
    draft_id: int  # a draft application of the same edition
    award_id: int
    milestone_report_id: int  # due yesterday, not submitted: overdue
    final_report_id: int
    tranche_ids: list[int]
    second_org_id: int


async def _application(round_id: int, organisation_id: int, status: str, title: str, entry: int = 1) -> int:
    rows = await Application.insert(
        Application(
            round=round_id,
            organisation=organisation_id,
            title=title,
            entry_number=entry,
            status=status,
            organisation_district=District.changning,
            scope_district=District.changning,
            created_at=now_utc(),
            updated_at=now_utc(),
        )
    ).returning(Application.id)
    return int(rows[0]["id"])


async def award_with_plan(application_id: int, edition_id: int, organisation_id: int) -> dict[str, object]:
    source = await FundSource.insert(FundSource(name="福彩公益金", kind="welfare_lottery")).returning(FundSource.id)
    line = await BudgetLine.insert(
        BudgetLine(
            edition=edition_id, fund_source=source[0]["id"], amount_fen=10_000_000, scope_district=District.changning
        )
    ).returning(BudgetLine.id)
    award = await Award.insert(
        Award(
            application=application_id,
            budget_line=line[0]["id"],
            amount_fen=AMOUNT,
            payee=organisation_id,
            scope_district=District.changning,
        )
    ).returning(Award.id)
    award_id = int(award[0]["id"])
    tranche_ids = []
    for sequence, amount, condition, status, milestone in (
        (1, 300_000, "on_signing", "paid", None),
        (2, 400_000, "milestone", "planned", 1),
        (3, 300_000, "final_report", "planned", None),
    ):
        rows = await Tranche.insert(
            Tranche(
                award=award_id,
                sequence=sequence,
                amount_fen=amount,
                release_condition=condition,
                status=status,
                milestone=milestone,
                scope_district=District.changning,
            )
        ).returning(Tranche.id)
        tranche_ids.append(int(rows[0]["id"]))
    reports = []
    for kind, sequence, due in (
        ("milestone", 1, today_shanghai() - timedelta(days=1)),
        ("final", 0, today_shanghai() + timedelta(days=60)),
    ):
        rows = await ProgressReport.insert(
            ProgressReport(award=award_id, kind=kind, sequence=sequence, due_on=due, scope_district=District.changning)
        ).returning(ProgressReport.id)
        reports.append(int(rows[0]["id"]))
    return {"award_id": award_id, "tranche_ids": tranche_ids, "reports": reports}


async def build(world: World) -> IncubationWorld:
    support = await factories.contest_round(world.changning_officer, district=District.changning, kind="support_plan")
    second_org, _ = await factories.organisation(District.changning)
    awarded = await _application(support["id"], world.org_id, "awarded", "社区助餐与陪伴")
    selected = await _application(support["id"], second_org, "selected", "楼组自治议事")
    draft = await _application(support["id"], world.org_id, "draft", "草稿项目", entry=2)
    plan = await award_with_plan(awarded, support["edition_id"], world.org_id)
    reports = plan["reports"]
    assert isinstance(reports, list)
    tranches = plan["tranche_ids"]
    assert isinstance(tranches, list)
    return IncubationWorld(
        world,
        support["edition_id"],
        support["id"],
        awarded,
        selected,
        draft,
        int(str(plan["award_id"])),
        reports[0],
        reports[1],
        tranches,
        second_org,
    )


async def cohort_with_projects(client: httpx.AsyncClient, w: IncubationWorld) -> dict[str, int]:
    """A cohort holding both applications, the awarded one with one indicator (服务人次: 0 → 1200)."""
    headers = w.world.changning_officer.headers
    cohort = ok(
        await client.post(
            "/incubation/cohorts", json={"edition_id": w.edition_id, "name": "2026 年第一期"}, headers=headers
        ),
        201,
    )
    awarded = ok(
        await client.post(
            f"/incubation/cohorts/{cohort['id']}/projects", json={"application_id": w.awarded_id}, headers=headers
        ),
        201,
    )
    selected = ok(
        await client.post(
            f"/incubation/cohorts/{cohort['id']}/projects", json={"application_id": w.selected_id}, headers=headers
        ),
        201,
    )
    plan = {
        "goals": "为独居老人助餐",
        "indicators": [{"name": "服务人次", "unit": "人次", "baseline": 0, "target": 1200}],
    }
    planned = ok(await client.put(f"/incubation/projects/{awarded['id']}/plan", json=plan, headers=headers))
    return {
        "cohort_id": cohort["id"],
        "project_id": awarded["id"],
        "selected_project_id": selected["id"],
        "indicator_id": planned["indicators"][0]["id"],
    }


async def edition_camp(
    edition_id: int | None, starts: list[datetime], status: str = "open", district: District = District.changning
) -> tuple[int, list[int]]:
    """A camp of the edition (``None``: standalone) with one two-hour session per start (Beijing time)."""
    camp = await Camp.insert(
        Camp(
            edition=edition_id,
            kind="brand",
            title="品牌塑造营",
            audience="any_registered",
            capacity=30,
            status=status,
            scope_district=district.value,
        )
    ).returning(Camp.id)
    camp_id = int(camp[0]["id"])
    session_ids = []
    for n, start in enumerate(starts):
        local = start.astimezone(SHANGHAI)
        rows = await CampSession.insert(
            CampSession(
                camp=camp_id,
                title=f"第{n + 1}讲",
                session_date=local.date(),
                start_time=local.time(),
                end_time=(local + timedelta(hours=2)).time(),
                place="上海市社会组织服务中心 301 室",
                trainer="李老师",
                scope_district=district.value,
            )
        ).returning(CampSession.id)
        session_ids.append(int(rows[0]["id"]))
    return camp_id, session_ids


async def camp_seat(camp_id: int, organisation_id: int, status: str = "registered") -> int:
    rows = await CampRegistration.insert(
        CampRegistration(
            camp=camp_id,
            organisation=organisation_id,
            participants=[{"name": "张晓明", "role": "项目主管", "mobile": "13900000001"}],
            status=status,
            waitlist_position=1 if status == "waitlisted" else None,
            scope_district=District.changning.value,
        )
    ).returning(CampRegistration.id)
    return int(rows[0]["id"])


async def checked_in(registration_id: int, session_id: int) -> None:
    """A check-in row as ``POST /camps/sessions/{id}/checkin`` writes it."""
    await SessionAttendance.insert(
        SessionAttendance(
            registration=registration_id,
            session=session_id,
            checked_in_at=now_utc(),
            scope_district=District.changning.value,
        )
    )
