"""Piccolo Admin forms for agreements and reports (协议与报告) over HTTP, with district scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.agreements.tables import Agreement
from programmes.reports.tables import ProgressReport
from programmes.tables import Tranche
from tests import factories
from tests.factories.admin import AdminFactory

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

REPORT = {
    "summary": "已建成社区助餐点并开展十二次助餐活动",
    "beneficiaries": 150,
    "outcomes": "独居老人助餐覆盖率明显提升",
    "problems": "志愿者流动较大",
    "next_steps": "扩展至两个新小区",
}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def form_path(name: str) -> str:
    return f"forms/{quote(name)}/"


async def signed_project(officer: factories.User) -> dict[str, Any]:
    """A changning award with plan [on_signing, milestone 1, final], its agreement signed by the organisation."""
    from programmes.agreements.service import sign
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate, PlannedTranche
    from programmes.awards.service import create_budget_line, create_fund_source, make_award
    from programmes.catalogue.service import close_round
    from programmes.tables import ReleaseCondition
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewSubmit

    staff = officer.principal
    contest = await factories.contest_round(officer, district=District.changning)
    org_id, applicant = await factories.organisation(District.changning)
    expert = await factories.user(Role.expert)
    draft = await create_draft(
        applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=org_id, title="社区助餐", answers=factories.GOOD_ANSWERS
        ),
    )
    await submit(applicant.principal, draft.id)
    assignment = await assign(staff, AssignmentCreate(application_id=draft.id, expert_id=expert.id))
    await submit_review(expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 90}))
    await factories.end_round_window(contest["id"])
    await close_round(staff, contest["id"])
    source = await create_fund_source(staff, FundSourceCreate(name="福彩公益金", kind="welfare_lottery"))
    line = await create_budget_line(
        staff, contest["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000_000)
    )
    today = now_utc().date()
    award = await make_award(
        staff,
        AwardCreate(
            application_id=draft.id,
            budget_line_id=line.id,
            amount_fen=1_000_000,
            payment_plan=[
                PlannedTranche(amount_fen=300_000),
                PlannedTranche(
                    amount_fen=400_000, condition=ReleaseCondition.milestone, report_due_on=today + timedelta(30)
                ),
                PlannedTranche(
                    amount_fen=300_000, condition=ReleaseCondition.final_report, report_due_on=today + timedelta(90)
                ),
            ],
        ),
    )
    await factories.verified_bank_account(org_id)
    await sign(applicant.principal, award.agreement_id, "王敏")
    reports = (
        await ProgressReport.select(ProgressReport.id)
        .where(ProgressReport.award == award.id)
        .order_by(ProgressReport.sequence, ascending=False)
    )
    return {
        "agreement_id": award.agreement_id,
        "tranche_ids": [t.id for t in award.tranches],
        "milestone_id": reports[0]["id"],
        "applicant": applicant,
    }


async def submitted_milestone(project: dict[str, Any]) -> None:
    from programmes.reports.schemas import ReportDraft
    from programmes.reports.service import save_draft, submit

    principal = project["applicant"].principal
    await save_draft(principal, project["milestone_id"], ReportDraft(answers=REPORT))
    await submit(principal, project["milestone_id"])


async def statuses(tranche_ids: list[int]) -> list[str]:
    rows = await Tranche.select(Tranche.id, Tranche.status).where(Tranche.id.is_in(tranche_ids))
    return [next(r["status"] for r in rows if r["id"] == i) for i in tranche_ids]


async def test_officer_countersigns_and_accepts_through_the_admin(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    assert changning.user is not None
    project = await signed_project(changning.user)

    grouped = ok(await changning.get("forms/grouped/"))["grouped"]
    assert [f["name"] for f in grouped["协议与报告"]] == ["会签资助协议", "退回协议", "验收报告", "退回报告"]
    tables = ok(await changning.get("tables/grouped/"))["grouped"]
    assert set(tables["协议与报告"]) == {"agreement", "progress_report", "report_expense"}

    done = ok(await changning.post(form_path("会签资助协议"), {"agreement_id": project["agreement_id"]}))
    assert done["custom_form_success"] == f"资助协议 {project['agreement_id']} 已会签生效，第 1 笔款项已可拨付"
    agreement = await Agreement.select(Agreement.status, Agreement.countersigned_by).where(
        Agreement.id == project["agreement_id"]
    )
    assert agreement == [{"status": "effective", "countersigned_by": changning.user.id}]
    assert await statuses(project["tranche_ids"]) == ["released", "planned", "planned"]

    await submitted_milestone(project)
    accepted = ok(await changning.post(form_path("验收报告"), {"report_id": project["milestone_id"]}))
    assert "第 1 期中期报告）已验收通过，第 2 笔款项已可拨付" in accepted["custom_form_success"]
    assert await statuses(project["tranche_ids"]) == ["released", "released", "planned"]
    again = await changning.post(form_path("验收报告"), {"report_id": project["milestone_id"]})
    assert again.status_code == 422 and "当前状态下不能执行此操作" in again.json()["custom_form_error"]
    assert await AuditEntry.count().where(AuditEntry.action == "tranche.release") == 2

    # The report list is a read-only table: its status cannot be edited raw.
    raw = await changning.patch(f"tables/progress_report/{project['milestone_id']}/", {"status": "due"})
    assert raw.status_code == 405


async def test_a_district_officer_cannot_act_on_another_districts_report(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None
    project = await signed_project(city.user)
    ok(await city.post(form_path("会签资助协议"), {"agreement_id": project["agreement_id"]}))
    await submitted_milestone(project)

    for name, body in (
        ("验收报告", {"report_id": project["milestone_id"]}),
        ("退回报告", {"report_id": project["milestone_id"], "reason": "请补充材料"}),
    ):
        refused = await pudong.post(form_path(name), body)
        assert refused.status_code == 422 and refused.json()["custom_form_error"] == "项目报告不存在或无权访问"
    refused = await pudong.post(form_path("退回协议"), {"agreement_id": project["agreement_id"], "reason": "不符"})
    assert refused.json()["custom_form_error"] == "资助协议不存在或无权访问"
    assert await ProgressReport.select(ProgressReport.status).where(ProgressReport.id == project["milestone_id"]) == [
        {"status": "submitted"}
    ]
    assert await statuses(project["tranche_ids"]) == ["released", "planned", "planned"]
    assert (await pudong.get(f"tables/progress_report/{project['milestone_id']}/")).status_code == 404
    assert ok(await pudong.get("tables/progress_report/count/"))["count"] == 0

    returned = ok(
        await city.post(form_path("退回报告"), {"report_id": project["milestone_id"], "reason": "请补充材料"})
    )
    assert returned["custom_form_success"] == f"报告 {project['milestone_id']} 已退回机构修改"
    row = await ProgressReport.select(ProgressReport.status, ProgressReport.return_reason).where(
        ProgressReport.id == project["milestone_id"]
    )
    assert row == [{"status": "returned", "return_reason": "请补充材料"}]
