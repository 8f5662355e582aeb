"""Demo data for 沪社星耀's end of the road: the 2024 project of 上海阳光社区公益服务社, selected and in a
cohort, graduated 优秀 through a graduation round (结项评估) that both demo experts reviewed (blind), then replicated
by a 浦东 organisation in 花木街道 — so ``make run`` shows a graduation evaluation with its submitted reviews, the
lineage and the public practice page (/incubation/practices/{id}). Built through the same services as production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.credit_code import check_character
from app.organisations.schemas import OrganisationRegistration
from app.organisations.service import register
from app.organisations.tables import Organisation, OrganisationMember, OrganisationType
from app.reference import District
from app.timezone import now_utc

ANSWERS = {
    "summary": "在新华路街道建设社区长者食堂，提供助餐、探访与陪伴服务",
    "beneficiaries": 200,
    "budget_yuan": 150000,
}
FOUR_QUALITIES = (("distinctive", "有特色"), ("quality", "有品质"), ("innovative", "有创新"), ("warmth", "有温度"))
GRADUATION_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "title": "项目简介"},
        "beneficiaries": {"type": "integer", "title": "受益人数"},
        "budget_yuan": {"type": "number", "title": "申请金额（元）"},
        "contact_person": {"type": "string", "title": "联系人", "identifying": True},
        # The project's record (goals, indicators, milestones, final report): kept whole for blind experts.
        "graduation": {"type": "object", "title": "结项材料"},
    },
}
REVIEWS = (
    ({"goals": 95, "sustainability": 90}, "指标全部超额完成，模式清晰"),
    ({"goals": 90, "sustainability": 92}, "可复制性强"),
)


async def _support_programme() -> int:
    from programmes.tables import Programme, ProgrammeKind

    row = await Programme.select(Programme.id).where(Programme.kind == ProgrammeKind.support_plan).first()
    assert row is not None  # load_demo's _other_programmes made it
    return int(row["id"])


async def _applicant(name: str, username: str) -> tuple[int, Principal]:
    org = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    assert org is not None
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org["id"]
    )
    return int(org["id"]), Principal(member[0]["user"], username, Role.applicant, None)


async def _replicating_organisation() -> int:
    body = "52310115MJ0000002"  # 浦东新区 (310115), a social service institution
    row = await register(
        OrganisationRegistration(
            username="huamu-elder",
            password="huamu-elder-pass-2026",
            email="huamu-elder@example.org",
            mobile="13800138020",
            name="浦东花木乐龄社区服务社",
            org_type=OrganisationType.social_service_institution,
            credit_code=body + check_character(body),
            district=District.pudong,
            street="花木街道",
        )
    )
    return int(row.id)


async def _selected_project(officer: Principal, expert: Principal, edition_id: int) -> int:
    """The sunshine organisation's 2024 application: submitted, reviewed, ranked and selected."""
    from app.site.demo import DEMO_FORM
    from programmes.applications.officer_actions import act
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import close_round, create_round, open_round
    from programmes.tables import Round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    now = now_utc()
    selection = await create_round(
        officer,
        edition_id,
        RoundCreate(
            name="优质项目遴选",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            blind=False,
            form_title="申报书",
            form_schema=DEMO_FORM,
            criteria=[CriterionIn(code=code, name=name, weight=25, max_score=100) for code, name in FOUR_QUALITIES],
            reviews_per_application=1,
        ),
    )
    await open_round(officer, selection.id)
    org_id, applicant = await _applicant("上海阳光社区公益服务社", "sunshine")
    draft = await create_draft(
        applicant,
        ApplicationCreate(round_id=selection.id, organisation_id=org_id, title="长者食堂·社区助餐", answers=ANSWERS),
    )
    await submit(applicant, draft.id)
    assignment = await assign(officer, AssignmentCreate(application_id=draft.id, expert_id=expert.user_id))
    scores = {code: 90 for code, _ in FOUR_QUALITIES}
    await submit_review(expert, assignment.id, ReviewDraft(scores=scores, comment="服务扎实，有温度"))
    # Demo only: the deadline is moved into the past so the round can be closed and ranked at once.
    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == selection.id)
    await close_round(officer, selection.id)
    await act(officer, draft.id, "select")
    return int(draft.id)


async def _graduation_round(officer: Principal, edition_id: int) -> int:
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round, open_round
    from programmes.kinds import RoundStage

    now = now_utc()
    created = await create_round(
        officer,
        edition_id,
        RoundCreate(
            name="2024 年度结项评估",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=30),
            blind=True,
            form_title="结项评估表",
            form_schema=GRADUATION_FORM,
            criteria=[
                CriterionIn(code="goals", name="目标达成", weight=60, max_score=100),
                CriterionIn(code="sustainability", name="可持续与可复制", weight=40, max_score=100),
            ],
            reviews_per_application=2,
            stage=RoundStage.graduation,  # outside the stage order; only 沪社星耀 editions may have one
            position=99,
        ),
    )
    await open_round(officer, created.id)
    return int(created.id)


async def load_demo_graduation(officer: Principal, experts: list[Principal]) -> None:
    from programmes.catalogue.schemas import EditionCreate
    from programmes.catalogue.service import create_edition
    from programmes.incubation import graduation, projects, replication
    from programmes.incubation.schemas import (
        CohortCreate,
        GraduationDecision,
        GraduationStart,
        IndicatorIn,
        PlanWrite,
        ProjectJoin,
        ReplicationCreate,
    )
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    edition = await create_edition(officer, await _support_programme(), EditionCreate(year=2024, title="2024 年度"))
    application_id = await _selected_project(officer, experts[0], edition.id)
    cohort = await projects.create_cohort(officer, CohortCreate(edition_id=edition.id, name="2024 年第一期"))
    project = await projects.join(officer, cohort.id, ProjectJoin(application_id=application_id))
    indicator = IndicatorIn(name="助餐人次", unit="人次", baseline=0, target=6000)
    await projects.write_plan(officer, project.id, PlanWrite(goals="长者助餐全覆盖", indicators=[indicator]))
    round_id = await _graduation_round(officer, edition.id)
    started = await graduation.start(officer, project.id, GraduationStart(round_id=round_id))
    entry_id = int(started.evaluation["entry_id"])
    for expert, (scores, comment) in zip(experts, REVIEWS, strict=True):
        assignment = await assign(officer, AssignmentCreate(application_id=entry_id, expert_id=expert.user_id))
        await submit_review(expert, assignment.id, ReviewDraft(scores=scores, comment=comment))
    decision = GraduationDecision(outcome="excellent", reason="指标全部达成，长者食堂模式成熟、可复制")
    await graduation.decide(officer, project.id, decision)
    proposed = await replication.propose(
        officer,
        ReplicationCreate(
            origin_project_id=project.id,
            organisation_id=await _replicating_organisation(),
            title="长者食堂·社区助餐（浦东花木复制点）",
            plan="复制长者食堂的运营与志愿者排班模式，原项目机构担任顾问",
            district=District.pudong,
            street="花木街道",
            beneficiaries=180,
            origin_as_adviser=True,
        ),
    )
    await replication.approve(officer, proposed.id)
