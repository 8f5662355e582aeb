"""Demo data for ``make run`` on an empty database: a contest with one open round (its form, rubric and a submitted
application under blind review: app/site/demo/open_call.py) and an account per role, and
last year's winner funded under an effective agreement (app/site/demo/money.py), 沪社星耀's 2025 cohort mid-way with
its 品牌塑造营, mentors and an overdue milestone (app/site/demo/incubation.py, camps.py, camp_attendance.py), a
沪社星耀 project graduated 优秀 through a reviewed graduation round and replicated in another district
(app/site/demo/graduation.py), 聚力计划's whole path from a street's demand list to a replicated case
(app/site/demo/matching.py), and the 2024 staged contest edition: 区级推荐 → 初赛 → 复赛 → 决赛 with a finished
roadshow, confirmed prizes and a resource introduction (app/site/demo/contest_stages.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Account, Role
from app.organisations.schemas import OrganisationRegistration
from app.organisations.service import register
from app.organisations.tables import OrganisationType
from app.reference import District
from app.site.demo.open_call import OPEN_CALL_FORM, open_call_criteria, submit_for_review

# Local demo only; printed by `seedbed demo` and listed in the README.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "admin", "admin-pass-2026"),
    ("officer", "officer", "officer-pass-2026"),
    # A second city officer: four-eyes (双人复核) has them approve the batches `officer` builds, and give the second
    # countersignature on agreements above SEEDBED_FOUR_EYES_AGREEMENT_FEN.
    ("officer", "reviewer", "reviewer-pass-2026"),
    ("officer", "changning", "changning-pass-2026"),
    ("expert", "expert1", "expert1-pass-2026"),
    ("expert", "expert2", "expert2-pass-2026"),
    ("applicant", "sunshine", "sunshine-pass-2026"),
    # The second 沪社星耀 project's organisation (上海绿苗青少年发展中心), registered in app/site/demo/incubation.py.
    ("applicant", "greenshoots", "greenshoots-pass-2026"),
    # 聚力计划 community accounts (街道), opened by `officer` through the service in app/site/demo/matching.py.
    ("community", "xinhua", "xinhua-pass-2026"),
    ("community", "huamu", "huamu-pass-2026"),
]

DEMO_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["summary", "beneficiaries", "budget_yuan"],
    "properties": {
        "summary": {"type": "string", "title": "项目简介", "minLength": 10, "maxLength": 2000},
        "beneficiaries": {"type": "integer", "title": "预计受益人数", "minimum": 1},
        "budget_yuan": {"type": "number", "title": "申请金额（元）", "minimum": 0, "maximum": 500000},
        "contact_person": {"type": "string", "title": "联系人", "identifying": True},
    },
}


async def load_demo() -> bool:
    """Returns False (and changes nothing) when the database already has accounts."""
    from app.organisations.custody import designate
    from app.organisations.schemas import ServiceCentreDesignation
    from app.timezone import now_utc
    from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source
    from programmes.catalogue.schemas import EditionCreate, ProgrammeCreate, RoundCreate
    from programmes.catalogue.service import create_edition, create_programme, create_round, open_round
    from programmes.tables import FundSourceKind, ProgrammeKind

    if await Account.count() > 0:
        return False
    ids: dict[str, int] = {}
    for role, username, password in DEMO_LOGINS:
        if role in ("applicant", "community"):  # opened with their organisation / community below
            continue
        district = District.changning if username == "changning" else None
        ids[username] = await create_account(
            username=username, password=password, role=Role(role), district=district, display_name=username
        )
    sunshine = await register(
        OrganisationRegistration(
            username="sunshine",
            password="sunshine-pass-2026",
            email="sunshine@example.org",
            mobile="13800138000",
            name="上海阳光社区公益服务社",
            org_type=OrganisationType.social_service_institution,
            credit_code="52310105MJ00000011",
            district=District.changning,
            street="新华路街道",
        )
    )
    officer = Principal(ids["officer"], "officer", Role.officer, None)
    # 新华路街道's service centre: a filed community group registering in the portal picks it as its custodian.
    await designate(
        officer,
        sunshine.id,
        ServiceCentreDesignation(street="新华路街道", reason="演示数据：长宁区街镇社会组织服务中心名单"),
    )
    programme = await create_programme(
        officer, ProgrammeCreate(name="上海社会组织公益创新创业大赛", kind=ProgrammeKind.contest)
    )
    edition = await create_edition(officer, programme.id, EditionCreate(year=2026, title="第十届（2026 年）"))
    now = now_utc()
    round_row = await create_round(
        officer,
        edition.id,
        RoundCreate(
            name="初赛",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=30),
            blind=True,
            form_title="公益创新项目申报书",
            form_schema=OPEN_CALL_FORM,
            criteria=open_call_criteria(),
        ),
    )
    await open_round(officer, round_row.id)
    source = await create_fund_source(
        officer, FundSourceCreate(name="2026 年市级福彩公益金", kind=FundSourceKind.welfare_lottery)
    )
    await create_budget_line(officer, edition.id, BudgetLineCreate(fund_source_id=source.id, amount_fen=200_000_000))
    await _other_programmes(officer, now)
    await _expert_pool(officer, [ids["expert1"], ids["expert2"]])
    await submit_for_review(
        officer, [Principal(ids[name], name, Role.expert, None) for name in ("expert1", "expert2")], round_row.id
    )
    from app.site.demo.money import load_funded_project

    await load_funded_project(
        officer,
        Principal(ids["reviewer"], "reviewer", Role.officer, None),
        Principal(ids["expert1"], "expert1", Role.expert, None),
        programme.id,
        DEMO_FORM,
    )
    from app.site.demo.camp_attendance import load_demo_attendance
    from app.site.demo.camps import load_demo_camp
    from app.site.demo.incubation import load_incubation_demo, register_second_organisation

    await register_second_organisation()
    incubation = await load_incubation_demo(
        officer,
        Principal(ids["reviewer"], "reviewer", Role.officer, None),
        Principal(ids["expert1"], "expert1", Role.expert, None),
        Principal(ids["expert2"], "expert2", Role.expert, None),
    )
    camp_id = await load_demo_camp(officer, incubation.applicants, incubation.edition_id)
    await load_demo_attendance(officer, incubation.applicants[0], camp_id)
    from app.site.demo.matching import load_matching_demo

    await load_matching_demo(officer)
    from app.site.demo.graduation import load_demo_graduation

    await load_demo_graduation(
        officer, [Principal(ids[name], name, Role.expert, None) for name in ("expert1", "expert2")]
    )
    from app.site.demo.contest_stages import load_contest_stages

    await load_contest_stages(
        officer,
        Principal(ids["changning"], "changning", Role.officer, District.changning.value),
        [Principal(ids[name], name, Role.expert, None) for name in ("expert1", "expert2")],
        programme.id,
        DEMO_FORM,
    )
    return True


async def _other_programmes(officer: Principal, now: datetime) -> None:
    """沪社星耀 with its four-quality rubric, and a 聚力计划 special session for service offers."""
    from programmes.catalogue.schemas import CriterionIn, EditionCreate, ProgrammeCreate, RoundCreate
    from programmes.catalogue.service import create_edition, create_programme, create_round, open_round
    from programmes.tables import ProgrammeKind

    plans = [
        (
            ProgrammeCreate(name="沪社星耀·优质项目扶持计划", kind=ProgrammeKind.support_plan),
            "优质项目遴选",
            [
                CriterionIn(code="distinctive", name="有特色", weight=25, max_score=100),
                CriterionIn(code="quality", name="有品质", weight=25, max_score=100),
                CriterionIn(code="innovative", name="有创新", weight=25, max_score=100),
                CriterionIn(code="warmth", name="有温度", weight=25, max_score=100),
            ],
        ),
        (
            ProgrammeCreate(name="聚力计划·社区社会组织专场", kind=ProgrammeKind.matching),
            "服务供给登记",
            [CriterionIn(code="fit", name="服务匹配度", weight=1, max_score=100)],
        ),
    ]
    for programme_data, round_name, criteria in plans:
        programme = await create_programme(officer, programme_data)
        edition = await create_edition(officer, programme.id, EditionCreate(year=2026, title="2026 年度"))
        created = await create_round(
            officer,
            edition.id,
            RoundCreate(
                name=round_name,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + timedelta(days=45),
                blind=False,
                form_title="申报书",
                form_schema=DEMO_FORM,
                criteria=criteria,
            ),
        )
        await open_round(officer, created.id)


async def _expert_pool(officer: Principal, expert_ids: list[int]) -> None:
    from scoring.experts.schemas import ExpertProfileWrite
    from scoring.experts.service import save_profile

    for expert_id, domains in zip(expert_ids, (["为老服务", "社区治理"], ["青少年服务", "文体活动"]), strict=True):
        await save_profile(officer, expert_id, ExpertProfileWrite(domains=domains, tags=domains, max_load_per_round=20))
