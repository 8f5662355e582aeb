"""The 沪社星耀 admin forms (建立扶持批次, 记录结项评估结论): the API's services, scope and rules."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.incubation.tables import Cohort, SupportedProject
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.graduation import graduation_experts, graduation_round
from tests.factories.incubation import build
from tests.factories.world import build_world

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

COHORT = form_path("建立扶持批次")
GRADUATION = form_path("记录结项评估结论")


async def test_cohort_and_graduation_forms_follow_the_api_rules(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    w = await build(await build_world())
    assert await refused(pudong, COHORT, {"edition_id": w.edition_id, "name": "第一期"}) == "届次不存在或无权访问"
    done = ok(await changning.post(COHORT, {"edition_id": w.edition_id, "name": "第一期"}))
    assert "第一期" in done["custom_form_success"] and await Cohort.count() == 1
    cohort = await Cohort.select(Cohort.id).first()
    assert cohort is not None
    from programmes.incubation import graduation, projects
    from programmes.incubation.schemas import GraduationStart, ProjectJoin
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    project = await projects.join(
        w.world.changning_officer.principal, cohort["id"], ProjectJoin(application_id=w.awarded_id)
    )
    form = {"project_id": project.id, "outcome": "优秀", "reason": "指标全部达成"}
    assert "当前状态下不能执行此操作" in await refused(changning, GRADUATION, form)
    grad = await graduation_round(w.world.changning_officer, w.edition_id, reviews=1)
    started = await graduation.start(
        w.world.changning_officer.principal, project.id, GraduationStart(round_id=grad["id"])
    )
    assert "暂不能作出结论" in await refused(changning, GRADUATION, form)  # no submitted review yet
    entry_id = started.evaluation["entry_id"]
    [expert] = await graduation_experts(1)
    assignment = await assign(
        w.world.changning_officer.principal, AssignmentCreate(application_id=entry_id, expert_id=expert.id)
    )
    await submit_review(expert.principal, assignment.id, ReviewDraft(scores={"goals": 90, "sustainability": 80}))
    ok(await changning.post(GRADUATION, form))
    row = (
        await SupportedProject.select(SupportedProject.status, SupportedProject.evaluation)
        .where(SupportedProject.id == project.id)
        .first()
        .output(load_json=True)
    )
    assert row is not None and row["status"] == "excellent" and row["evaluation"]["mean_score"] == 86
