"""Demo data for the money side: last year's contest winner, funded under an effective agreement (20 万元, above
the four-eyes amount, so ``officer`` countersigned first and ``reviewer`` second).

So a newcomer running ``make run`` finds an agreement, a payment plan with a released tranche, a verified bank
account and a milestone report due, in the API and the admin. Built through the same services as production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationMember
from app.timezone import now_utc, today_shanghai
from programmes.workflows.agreements import AgreementStatus

DEMO_ANSWERS = {"summary": "为新华路街道独居老人提供助餐、探访与陪伴服务", "beneficiaries": 150, "budget_yuan": 200000}


async def load_funded_project(
    officer: Principal, reviewer: Principal, expert: Principal, programme_id: int, form: dict[str, Any]
) -> None:
    from programmes.agreements.service import countersign, sign
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate, PlannedTranche
    from programmes.awards.service import create_budget_line, create_fund_source, make_award
    from programmes.catalogue.schemas import CriterionIn, EditionCreate, RoundCreate
    from programmes.catalogue.service import close_round, create_edition, create_round, open_round
    from programmes.payees.schemas import BankAccountCreate
    from programmes.payees.service import submit as submit_account
    from programmes.payees.service import verify
    from programmes.tables import ExpenseCategory, FundSourceKind, ReleaseCondition, Round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    org = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.name == "上海阳光社区公益服务社"
    )
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org[0]["id"]
    )
    applicant = Principal(member[0]["user"], "sunshine", Role.applicant, None)
    edition = await create_edition(officer, programme_id, EditionCreate(year=2025, title="第九届（2025 年）"))
    now = now_utc()
    round_row = await create_round(
        officer,
        edition.id,
        RoundCreate(
            name="决赛",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            blind=True,
            form_title="公益创新项目申报书",
            form_schema=form,
            criteria=[CriterionIn(code="overall", name="综合评价", weight=1, max_score=100)],
        ),
    )
    await open_round(officer, round_row.id)
    draft = await create_draft(
        applicant,
        ApplicationCreate(
            round_id=round_row.id, organisation_id=org[0]["id"], title="银龄食堂·社区助餐", answers=DEMO_ANSWERS
        ),
    )
    await submit(applicant, draft.id)
    assignment = await assign(officer, AssignmentCreate(application_id=draft.id, expert_id=expert.user_id))
    await submit_review(expert, assignment.id, ReviewDraft(scores={"overall": 92}, comment="需求清晰，可持续性好"))
    # Demo only: the round's deadline is moved into the past so it can be closed and ranked at once.
    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == round_row.id)
    await close_round(officer, round_row.id)

    source = await create_fund_source(
        officer, FundSourceCreate(name="2025 年市级福彩公益金", kind=FundSourceKind.welfare_lottery)
    )
    line = await create_budget_line(
        officer, edition.id, BudgetLineCreate(fund_source_id=source.id, amount_fen=50_000_000)
    )
    today = today_shanghai()
    award = await make_award(
        officer,
        AwardCreate(
            application_id=draft.id,
            budget_line_id=line.id,
            amount_fen=20_000_000,
            payment_plan=[
                PlannedTranche(amount_fen=6_000_000, condition=ReleaseCondition.on_signing),
                PlannedTranche(
                    amount_fen=8_000_000, condition=ReleaseCondition.milestone, report_due_on=today + timedelta(days=60)
                ),
                PlannedTranche(
                    amount_fen=6_000_000,
                    condition=ReleaseCondition.final_report,
                    report_due_on=today + timedelta(days=240),
                ),
            ],
            budget_plan={
                ExpenseCategory.personnel: 8_000_000,
                ExpenseCategory.activities: 9_000_000,
                ExpenseCategory.materials: 3_000_000,
            },
        ),
    )
    account = await submit_account(
        applicant,
        org[0]["id"],
        BankAccountCreate(
            account_name=org[0]["name"], bank_name="上海银行长宁支行", account_number="31600300001234567"
        ),
    )
    await verify(officer, account.id)
    assert award.agreement_id is not None  # make_award always writes the draft agreement
    await sign(applicant, award.agreement_id, "王敏")
    first = await countersign(officer, award.agreement_id)
    if first.status == AgreementStatus.countersigning:  # above SEEDBED_FOUR_EYES_AGREEMENT_FEN: a second officer's turn
        await countersign(reviewer, award.agreement_id)
