"""Demo data for 沪社星耀 incubation: last year's (2025) support-plan edition, whose round selected and funded two
projects, now mid-way in the cohort 「2025 年第一期」. 阳光 (sunshine) is on time; 绿苗 (greenshoots, a second demo
organisation) missed its mid-term milestone report, so the daily risk scan has raised the existing
``report_overdue`` 预警. Each project has indicators, a mentor assigned by the solver (k = 1) who has logged a
meeting, and both organisations hold seats in the edition's 品牌塑造营 (app/site/demo/camps.py) with attendance.
阳光 has stated its indicator values with its mid-term report (they count once the officer accepts it), and its 2025
contest award is fast-tracked into the open 2026 round: a pre-filled draft waiting for 阳光 to accept.

Graduation and replication are added by app/site/demo/graduation.py. Built through the same services as
production, except where the demo must put a date in the past (a closed round's deadline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationMember, OrganisationType
from app.reference import District
from app.timezone import now_utc, today_shanghai

SUPPORT_PROGRAMME = "沪社星耀·优质项目扶持计划"
SECOND_ORGANISATION = "上海绿苗青少年发展中心"
# (username, organisation, title, answers, mid-term report due in days: negative = overdue)
PROJECTS = [
    (
        "sunshine",
        "上海阳光社区公益服务社",
        "社区长者陪伴计划",
        {"summary": "为长宁区独居长者提供定期探访、助餐与心理陪伴", "beneficiaries": 300, "budget_yuan": 150000},
        30,
    ),
    (
        "greenshoots",
        SECOND_ORGANISATION,
        "青苗课后成长营",
        {"summary": "为双职工家庭子女提供课后托管、阅读与心理支持", "beneficiaries": 120, "budget_yuan": 120000},
        -10,
    ),
]
INDICATORS = [
    [("服务人次", "人次", 0, 2400), ("志愿者人数", "人", 10, 40)],
    [("参与儿童", "人", 0, 120), ("家长满意度", "%", 70, 90)],
]


@dataclass
class IncubationDemo:
    edition_id: int
    round_id: int
    cohort_id: int
    project_ids: list[int]
    applicants: list[Principal]


async def register_second_organisation() -> None:
    from app.organisations.credit_code import check_character
    from app.organisations.schemas import OrganisationRegistration
    from app.organisations.service import register

    body = "52310105MJ0000002"
    await register(
        OrganisationRegistration(
            username="greenshoots",
            password="greenshoots-pass-2026",
            email="greenshoots@example.org",
            mobile="13800138010",
            name=SECOND_ORGANISATION,
            org_type=OrganisationType.social_service_institution,
            credit_code=body + check_character(body),
            district=District.changning,
            street="江苏路街道",
        )
    )


async def _applicant(organisation_name: str, username: str) -> tuple[int, Principal]:
    org = await Organisation.select(Organisation.id).where(Organisation.name == organisation_name).first()
    assert org is not None
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org["id"]
    )
    return int(org["id"]), Principal(int(member[0]["user"]), username, Role.applicant, None)


async def load_incubation_demo(
    officer: Principal, reviewer: Principal, expert: Principal, mentor: Principal
) -> IncubationDemo:
    """``expert`` reviews the 2025 round; ``reviewer`` gives the agreements' second countersignature (four-eyes);
    ``mentor`` is flagged as a mentor and assigned by the solver."""
    from app.site.demo import DEMO_FORM
    from programmes.applications.officer_actions import act
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.catalogue.schemas import CriterionIn, EditionCreate, RoundCreate
    from programmes.catalogue.service import close_round, create_edition, create_round, open_round
    from programmes.incubation import projects
    from programmes.incubation.schemas import (
        CohortCreate,
        IndicatorIn,
        IndicatorValueIn,
        IndicatorValues,
        PlanWrite,
        ProjectJoin,
    )
    from programmes.reports.tables import ProgressReport
    from programmes.risk.scan import scan_risks
    from programmes.tables import Programme, Round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    programme = await Programme.select(Programme.id).where(Programme.name == SUPPORT_PROGRAMME).first()
    assert programme is not None  # made by app.site.demo._other_programmes
    edition = await create_edition(officer, int(programme["id"]), EditionCreate(year=2025, title="2025 年度"))
    now = now_utc()
    round_row = await create_round(
        officer,
        edition.id,
        RoundCreate(
            name="2025 优质项目遴选",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            blind=False,
            form_title="申报书",
            form_schema=DEMO_FORM,
            criteria=[
                CriterionIn(code="distinctive", name="有特色", weight=25, max_score=100),
                CriterionIn(code="quality", name="有品质", weight=25, max_score=100),
                CriterionIn(code="innovative", name="有创新", weight=25, max_score=100),
                CriterionIn(code="warmth", name="有温度", weight=25, max_score=100),
            ],
        ),
    )
    await open_round(officer, round_row.id)
    applications: list[int] = []
    applicants: list[Principal] = []
    for n, (username, organisation_name, title, answers, _) in enumerate(PROJECTS):
        organisation_id, applicant = await _applicant(organisation_name, username)
        applicants.append(applicant)
        draft = await create_draft(
            applicant,
            ApplicationCreate(round_id=round_row.id, organisation_id=organisation_id, title=title, answers=answers),
        )
        await submit(applicant, draft.id)
        assignment = await assign(officer, AssignmentCreate(application_id=draft.id, expert_id=expert.user_id))
        score = 90 - 4 * n
        scores = {c: score for c in ("distinctive", "quality", "innovative", "warmth")}
        await submit_review(expert, assignment.id, ReviewDraft(scores=scores, comment="扎根社区，成效可测"))
        applications.append(draft.id)
    # Demo only: the round's deadline is moved into the past so it can be closed and ranked at once.
    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == round_row.id)
    await close_round(officer, round_row.id)
    for application_id in applications:
        await act(officer, application_id, "select")
    # greenshoots' mid-term report fell due ten days ago.
    award_ids = [
        await _fund((officer, reviewer), applicant, application_id, due_in_days)
        for applicant, application_id, (*_, due_in_days) in zip(applicants, applications, PROJECTS, strict=True)
    ]
    await scan_risks(today_shanghai())  # the daily cron: raises report_overdue for greenshoots

    cohort = await projects.create_cohort(
        officer, CohortCreate(edition_id=edition.id, name="2025 年第一期", description="2025 年度入选的优质项目")
    )
    project_ids = []
    for application_id, indicators in zip(applications, INDICATORS, strict=True):
        project = await projects.join(officer, cohort.id, ProjectJoin(application_id=application_id))
        plan = PlanWrite(
            goals="形成可复制的社区服务模式",
            indicators=[IndicatorIn(name=i, unit=u, baseline=b, target=t) for i, u, b, t in indicators],
        )
        planned = await projects.write_plan(officer, project.id, plan)
        project_ids.append(project.id)
        if not project_ids[1:]:  # 阳光: values stated with its mid-term report
            report = await ProgressReport.select(ProgressReport.id).where(
                (ProgressReport.award == award_ids[0]) & (ProgressReport.kind == "milestone")
            )
            stated = [IndicatorValueIn(indicator_id=i.id, value=i.target / 2) for i in planned.indicators]
            await projects.record_values(
                applicants[0], project.id, IndicatorValues(report_id=int(report[0]["id"]), values=stated)
            )
    await _mentor(officer, mentor, round_row.id)
    await _fast_track(officer)
    return IncubationDemo(edition.id, round_row.id, cohort.id, project_ids, applicants)


async def _fund(
    officers: tuple[Principal, Principal], applicant: Principal, application_id: int, midterm_in_days: int
) -> int:
    """15 万元: 30 % on signing, 40 % after the mid-term report, 30 % after the final. Above the four-eyes amount,
    so the second officer countersigns after the first."""
    officer, reviewer = officers
    from programmes.agreements.service import countersign, sign
    from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate, PlannedTranche
    from programmes.awards.service import create_budget_line, create_fund_source, make_award
    from programmes.payees.schemas import BankAccountCreate
    from programmes.payees.service import submit as submit_account
    from programmes.payees.service import verify
    from programmes.tables import Application, BudgetLine, ExpenseCategory, FundSourceKind, ReleaseCondition
    from programmes.workflows.agreements import AgreementStatus

    row = (
        await Application.select(
            Application.organisation,
            Application.organisation._.name.as_alias("name"),
            Application.round._.edition.as_alias("edition"),
        )
        .where(Application.id == application_id)
        .first()
    )
    assert row is not None
    line = await BudgetLine.select(BudgetLine.id).where(BudgetLine.edition == row["edition"]).first()
    if line is None:
        source = await create_fund_source(
            officer, FundSourceCreate(name="2025 年市级社会组织扶持资金", kind=FundSourceKind.welfare_lottery)
        )
        created = await create_budget_line(
            officer, int(row["edition"]), BudgetLineCreate(fund_source_id=source.id, amount_fen=100_000_000)
        )
        line = {"id": created.id}
    today = today_shanghai()
    award = await make_award(
        officer,
        AwardCreate(
            application_id=application_id,
            budget_line_id=int(line["id"]),
            amount_fen=15_000_000,
            payment_plan=[
                PlannedTranche(amount_fen=4_500_000, condition=ReleaseCondition.on_signing),
                PlannedTranche(
                    amount_fen=6_000_000,
                    condition=ReleaseCondition.milestone,
                    report_due_on=today + timedelta(days=midterm_in_days),
                ),
                PlannedTranche(
                    amount_fen=4_500_000,
                    condition=ReleaseCondition.final_report,
                    report_due_on=today + timedelta(days=200),
                ),
            ],
            budget_plan={ExpenseCategory.personnel: 6_000_000, ExpenseCategory.activities: 9_000_000},
        ),
    )
    account = await submit_account(
        applicant,
        int(row["organisation"]),
        BankAccountCreate(account_name=row["name"], bank_name="上海银行长宁支行", account_number="31600300007654321"),
    )
    await verify(officer, account.id)
    assert award.agreement_id is not None  # make_award always writes the draft agreement
    await sign(applicant, award.agreement_id, "项目负责人")
    first = await countersign(officer, award.agreement_id)
    if first.status == AgreementStatus.countersigning:
        await countersign(reviewer, award.agreement_id)
    return award.id


async def _mentor(officer: Principal, mentor: Principal, round_id: int) -> None:
    """The mentor flag on ``mentor``, the solver's plan committed (one mentor per project), a meeting logged."""
    from scoring.mentors import service
    from scoring.mentors.schemas import MeetingWrite, MentorProfileWrite
    from scoring.mentors.tables import Mentorship

    await service.save_profile(
        officer, mentor.user_id, MentorProfileWrite(mentor=True, domains=["为老服务", "青少年服务"], max_projects=3)
    )
    await service.commit(officer, round_id, 1)
    mentorships = await Mentorship.select(Mentorship.id).where(Mentorship.mentor == mentor.user_id)
    for mentorship in mentorships:
        await service.log_meeting(
            mentor,
            int(mentorship["id"]),
            MeetingWrite(
                met_on=today_shanghai() - timedelta(days=5),
                topic="中期目标梳理",
                advice="聚焦两项核心指标，按月记录服务台账",
                follow_ups="下次会面前完成志愿者招募方案",
            ),
        )


async def _fast_track(officer: Principal) -> None:
    """阳光's 2025 contest award (app/site/demo/money.py) invited into the open 2026 沪社星耀 round."""
    from programmes.fasttrack import service
    from programmes.fasttrack.schemas import FieldPair, InvitationCreate
    from programmes.tables import Award, ProgrammeKind, Round

    winner = (
        await Award.select(Award.application)
        .where(Award.application._.round._.edition._.programme._.kind == ProgrammeKind.contest)
        .first()
    )
    open_round = (
        await Round.select(Round.id)
        .where(Round.edition._.programme._.name == SUPPORT_PROGRAMME, Round.edition._.year == 2026)
        .first()
    )
    assert winner is not None and open_round is not None
    fields = ["summary", "beneficiaries", "budget_yuan", "contact_person"]
    await service.invite(
        officer,
        InvitationCreate(
            origin_application_id=int(winner["application"]),
            round_id=int(open_round["id"]),
            mapping=[FieldPair(contest_field=f, support_field=f) for f in fields],
            message="贵单位的大赛获奖项目符合沪社星耀扶持方向，欢迎直通申报。",
        ),
    )
