"""沪社星耀 and 训练营 pages in the admin: the cohort dashboard with its xlsx, graduation outcomes, mentor preview;
the camps list and a camp page's actions — each through the admin session and the services, refusals changing
nothing, another district's cohort or camp the uniform 404."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.camps.tables import Camp, CampRegistration, SessionAttendance
from programmes.incubation.tables import SupportedProject
from scoring.mentors.tables import MentorProfile, Mentorship
from scoring.tables import ExpertProfile
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_pages import NOT_FOUND, post_form
from tests.factories.graduation import graduation_experts, graduation_round
from tests.factories.incubation import build, camp_seat, checked_in, edition_camp
from tests.factories.world import build_world

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def test_cohort_dashboard_xlsx_and_graduation(admin_client: AdminFactory) -> None:
    from programmes.incubation import graduation, projects
    from programmes.incubation.schemas import CohortCreate, GraduationStart, ProjectJoin
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    changning = await admin_client(Role.officer, District.changning)
    w = await build(await build_world())
    officer = w.world.changning_officer.principal
    cohort = await projects.create_cohort(officer, CohortCreate(edition_id=w.edition_id, name="2026 年第一期"))
    project = await projects.join(officer, cohort.id, ProjectJoin(application_id=w.awarded_id))
    url = f"/admin/incubation/cohorts/{cohort.id}"
    index = await changning.http.get("/admin/incubation")
    assert index.status_code == 200 and f'href="{url}"' in index.text and "2026 年第一期" in index.text
    shown = await changning.http.get(url)
    assert shown.status_code == 200 and "社区助餐与陪伴" in shown.text and "扶持中" in shown.text
    assert "1/3 期，3,000.00 元" in shown.text and "逾期 1" in shown.text  # the world's plan: 30 % paid, one late
    xlsx = await changning.http.get(f"{url}.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert xlsx.status_code == 200 and sheet is not None and sheet["B2"].value == "社区助餐与陪伴"
    pudong = await admin_client(Role.officer, District.pudong)
    for path in (url, f"{url}.xlsx"):
        hidden = await pudong.http.get(path)
        assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    # Graduation: the project in evaluation with a submitted review; a missing reason is refused beside the field.
    grad = await graduation_round(w.world.changning_officer, w.edition_id, reviews=1)
    started = await graduation.start(officer, project.id, GraduationStart(round_id=grad["id"]))
    [expert] = await graduation_experts(1)
    assignment = await assign(
        officer, AssignmentCreate(application_id=started.evaluation["entry_id"], expert_id=expert.id)
    )
    await submit_review(expert.principal, assignment.id, ReviewDraft(scores={"goals": 90, "sustainability": 80}))
    assert "记录结论" in (await changning.http.get(url)).text
    before = await AuditEntry.count()
    refused = await post_form(changning, url, action="graduate", project_id=project.id, outcome="excellent", reason="")
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    hidden = await post_form(pudong, url, action="graduate", project_id=project.id, outcome="excellent", reason="达成")
    assert hidden.status_code == 404 and await AuditEntry.count() == before
    done = await post_form(
        changning, url, action="graduate", project_id=project.id, outcome="excellent", reason="指标全部达成"
    )
    assert done.status_code == 303 and "已记录结项评估结论" in (await changning.http.get(done.headers["location"])).text
    row = await SupportedProject.select(SupportedProject.status).where(SupportedProject.id == project.id).first()
    assert row == {"status": "excellent"}


async def test_mentor_preview_writes_nothing_and_checks_the_round(admin_client: AdminFactory) -> None:
    from programmes.incubation import projects
    from programmes.incubation.schemas import CohortCreate

    changning = await admin_client(Role.officer, District.changning)
    w = await build(await build_world())
    cohort = await projects.create_cohort(
        w.world.changning_officer.principal, CohortCreate(edition_id=w.edition_id, name="第二期")
    )
    url = f"/admin/incubation/cohorts/{cohort.id}"
    lacking = await post_form(changning, url, action="mentor_preview", round_id=w.round_id, k=1)
    assert lacking.status_code == 422 and "无法为每个扶持项目配齐导师" in lacking.text  # no mentor yet
    for _ in range(2):
        mentor = await factories.user(Role.expert)
        await ExpertProfile.insert(ExpertProfile(expert=mentor.id))
        await MentorProfile.insert(MentorProfile(expert=mentor.id, domains=["品牌传播"], max_projects=2))
    preview = await post_form(changning, url, action="mentor_preview", round_id=w.round_id, k=1)
    assert preview.status_code == 200 and "导师分配预览（未写入）" in preview.text and "社区助餐与陪伴" in preview.text
    assert "楼组自治议事" in preview.text and await Mentorship.count() == 0
    for fields, message in (
        ({"action": "mentor_preview", "round_id": 999999, "k": 1}, "请选择本届的沪社星耀轮次"),
        ({"action": "mentors", "round_id": w.round_id, "k": 9}, "导师人数须为 1–5 位"),
        ({"action": "graduate", "project_id": "x"}, "请选择本批次的一个项目"),
    ):
        refused = await post_form(changning, url, **fields)
        assert refused.status_code == 422 and message in refused.text, message
    assert await Mentorship.count() == 0
    committed = await post_form(changning, url, action="mentors", round_id=w.round_id, k=1)
    assert committed.status_code == 303 and await Mentorship.count() == 2


async def test_camp_page_actions(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    camp_id, [first_session, _] = await edition_camp(
        None, [now_utc() - timedelta(days=2), now_utc() + timedelta(days=5)]
    )
    await Camp.update({Camp.capacity: 1}).where(Camp.id == camp_id)
    (one, _), (two, _) = (
        await factories.organisation(District.changning),
        await factories.organisation(District.changning),
    )
    seated = await camp_seat(camp_id, one)
    waiting = await camp_seat(camp_id, two, "waitlisted")
    await checked_in(seated, first_session)
    url = f"/admin/camps/{camp_id}"
    index = await officer.http.get("/admin/incubation")
    assert f'href="{url}"' in index.text and "品牌塑造营" in index.text and "1/1（候补 1）" in index.text
    page = await officer.http.get(url)
    assert page.status_code == 200 and "第1讲" in page.text and "1/1" in page.text and "候补中（第 1 位）" in page.text
    attendance = await officer.http.get(url, params={"session": str(first_session)})
    assert "出勤：第1讲" in attendance.text
    before = await AuditEntry.count()
    for fields, message in (
        ({"action": "cancel", "reason": ""}, "取消训练营须填写原因"),
        (
            {"action": "correct", "session_id": first_session, "registration_id": seated, "present": "0", "reason": ""},
            "更正",
        ),
        ({"action": "cancel_registration", "registration_id": 999999}, "报名"),
        ({"action": "fly"}, "不支持的操作"),
    ):
        refused = await post_form(officer, url, **fields)
        assert refused.status_code == 422 and message in refused.text, message
    assert await AuditEntry.count() == before
    corrected = await post_form(
        officer,
        url,
        action="correct",
        session_id=first_session,
        registration_id=seated,
        present="0",
        reason="核实未到场",
    )
    assert corrected.status_code == 303
    mark = (
        await SessionAttendance.select(SessionAttendance.checked_in_at)
        .where(SessionAttendance.registration == seated)
        .first()
    )
    assert mark == {"checked_in_at": None}
    cancelled = await post_form(
        officer, url, action="cancel_registration", registration_id=seated, reason="单位无法参加"
    )
    assert cancelled.status_code == 303
    statuses = {
        r["id"]: r["status"] for r in await CampRegistration.select(CampRegistration.id, CampRegistration.status)
    }
    assert statuses == {seated: "cancelled", waiting: "registered"}  # the wait list moved up
    closed = await post_form(officer, url, action="close")
    assert closed.status_code == 303 and "已截止报名" in (await officer.http.get(closed.headers["location"])).text
    issued = await post_form(officer, url, action="certificates")
    assert issued.status_code == 303 and "新发结业证书" in (await officer.http.get(issued.headers["location"])).text
    xuhui = await admin_client(Role.officer, District.xuhui)
    hidden = await xuhui.http.get(url)
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    refused = await post_form(xuhui, url, action="cancel", reason="越权取消")
    assert refused.status_code == 404 and (await Camp.select(Camp.status).where(Camp.id == camp_id).first()) == {
        "status": "closed"
    }


async def test_a_draft_camp_opens_and_is_cancelled_with_a_reason(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    camp_id, _ = await edition_camp(None, [now_utc() + timedelta(days=3)], status="draft")
    url = f"/admin/camps/{camp_id}"

    async def status() -> str:
        row = await Camp.select(Camp.status).where(Camp.id == camp_id).first()
        assert row is not None
        return str(row["status"])

    assert "开放报名" in (await officer.http.get(url)).text and "筹备中" in (await officer.http.get(url)).text
    opened = await post_form(officer, url, action="open")
    assert opened.status_code == 303 and await status() == "open"
    refused = await post_form(officer, url, action="open")  # already open: the workflow refuses, nothing changes
    assert refused.status_code == 422 and await status() == "open"
    cancelled = await post_form(officer, url, action="cancel", reason="场地无法使用")
    assert cancelled.status_code == 303 and await status() == "cancelled"
    assert "训练营已取消" in (await officer.http.get(cancelled.headers["location"])).text
