"""The eligibility and 公示 gates through Piccolo Admin: the bulk action, the override and award forms, and the
registry correction form (which re-screens and warns) call the same guarded services as the API."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.outbox import OutboxMessage
from app.timezone import today_shanghai
from programmes.applications.schemas import ApplicationCreate
from programmes.applications.service import create_draft, submit
from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source
from programmes.catalogue.service import close_round
from programmes.risk.tables import RiskWarning
from programmes.tables import Application, Award
from scoring.assignments.schemas import AssignmentCreate
from scoring.assignments.service import assign
from scoring.publication.service import publish
from scoring.reviews.reviewing import submit as submit_review
from scoring.reviews.schemas import ReviewSubmit
from scoring.tables import Publication
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok
from tests.factories.worker import run_worker_burst

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def test_admin_forms_hold_the_gates(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    officer = city.user.principal
    expert = await factories.user(Role.expert)
    call = await factories.contest_round(city.user, reviews_per_application=1)
    org_id, member = await factories.organisation()
    draft = await create_draft(
        member.principal,
        ApplicationCreate(
            round_id=call["id"], organisation_id=org_id, title="后台关口", answers=factories.GOOD_ANSWERS
        ),
    )
    application = int(draft.id)
    await submit(member.principal, application)
    assignment = await assign(officer, AssignmentCreate(application_id=application, expert_id=expert.id))
    await submit_review(expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 80}))

    # Listed during review through the admin's correction form: re-screened after commit, and a 预警 raised.
    corrected = await city.post(
        form_path("更正社会组织登记信息"),
        {"organisation_id": org_id, "abnormal_listed_on": today_shanghai().isoformat(), "reason": "名录公告"},
    )
    assert corrected.status_code == 200, corrected.text
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "rescreen_organisation") == 1
    await run_worker_burst()
    outcome = await Application.select(Application.eligibility_outcome).where(Application.id == application).first()
    assert outcome == {"eligibility_outcome": "ineligible"}
    assert await RiskWarning.count().where(RiskWarning.kind == "application_ineligible") == 1

    await factories.end_round_window(call["id"])
    await close_round(officer, call["id"])
    source = await create_fund_source(officer, FundSourceCreate(name="福彩公益金", kind="welfare_lottery"))
    line = await create_budget_line(
        officer, call["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000_000)
    )
    award = {"application_id": application, "budget_line_id": line.id, "amount_fen": 100_000}

    advanced = await city.post(form_path("申报批量操作"), {"action": "advance", "application_ids": str(application)})
    assert advanced.status_code == 200 and "未处理 1 件" in advanced.json()["custom_form_success"]
    assert "listed_abnormal" in advanced.json()["custom_form_success"]
    refused = await city.post(form_path("确定资助"), award)
    assert refused.status_code == 422 and "listed_abnormal" in refused.json()["custom_form_error"]
    assert await Award.count() == 0

    short = await city.post(form_path("资格审查人工认定"), {"application_id": application, "reason": "误登"})
    assert short.status_code == 422  # a reason of fewer than five characters is no written decision
    ok(
        await city.post(
            form_path("资格审查人工认定"),
            {"application_id": application, "reason": "名录列入系误登，区民政局已书面更正"},
        )
    )
    publication = await publish(officer, call["id"], 7, None, None)
    running = await city.post(form_path("确定资助"), award)
    assert running.status_code == 422 and "公示期" in running.json()["custom_form_error"]
    await factories.end_notice_period(publication.id)
    assert await Publication.count() == 1
    done = await city.post(form_path("确定资助"), award)
    assert done.status_code == 200, done.text
    assert await Award.count().where(Award.application == application) == 1
