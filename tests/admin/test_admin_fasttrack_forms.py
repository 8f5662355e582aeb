"""The 沪社星耀 admin forms (直通邀请, 分配导师) over the admin's HTTP API: the API's services, scope and rules."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.applications.schemas import ApplicationCreate
from programmes.applications.service import create_draft, submit
from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.tables import Application, Award
from scoring.mentors.tables import MentorProfile, Mentorship
from scoring.tables import ExpertProfile
from tests import factories
from tests.factories import GOOD_ANSWERS
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

INVITE = form_path("邀请大赛获奖项目直通")
MENTORS = form_path("分配导师（预览或确认）")


async def test_invite_and_mentor_forms_follow_the_api_rules(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    officer = await factories.user(Role.officer)
    contest = await factories.contest_round(officer)
    support = await factories.contest_round(officer, kind="support_plan")
    org_id, member = await factories.organisation()
    draft = await create_draft(
        member.principal,
        ApplicationCreate(round_id=contest["id"], organisation_id=org_id, title="获奖项目", answers=GOOD_ANSWERS),
    )
    await submit(member.principal, draft.id)
    source = await create_fund_source(officer.principal, FundSourceCreate(name="财政资金", kind="fiscal"))
    line = await create_budget_line(
        officer.principal, contest["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000)
    )
    await Award.insert(Award(application=draft.id, budget_line=line.id, amount_fen=1_000, payee=org_id))

    body = {"origin_application_id": draft.id, "round_id": support["id"], "field_map": "summary -> summary"}
    assert await refused(pudong, INVITE, body) == "申报不存在或无权访问"
    assert "无法识别的映射行" in await refused(city, INVITE, {**body, "field_map": "summary summary"})
    assert "没有字段" in await refused(city, INVITE, {**body, "field_map": "nope -> summary"})
    done = ok(await city.post(INVITE, body))
    assert "已邀请" in done["custom_form_success"] and await FastTrackInvitation.count() == 1
    assert "已被邀请" in await refused(city, INVITE, body)

    invited = await FastTrackInvitation.select(FastTrackInvitation.application).first()
    assert invited is not None
    await Application.update({Application.status: "selected"}).where(Application.id == invited["application"])
    mentor = await factories.user(Role.expert)
    await ExpertProfile.insert(ExpertProfile(expert=mentor.id))
    await MentorProfile.insert(MentorProfile(expert=mentor.id, domains=["品牌传播"], max_projects=2))
    plan = {"round_id": support["id"], "mentors_per_project": 1, "step": "预览"}
    assert "预览（未写入）：1 对" in ok(await city.post(MENTORS, plan))["custom_form_success"]
    assert await Mentorship.count() == 0
    assert await refused(pudong, MENTORS, plan) == "轮次不存在或无权访问"
    ok(await city.post(MENTORS, {**plan, "step": "确认分配"}))
    assert await Mentorship.count() == 1
