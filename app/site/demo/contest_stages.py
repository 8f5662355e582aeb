"""Demo data for the contest as a staged contest (issue 15): the 2024 edition (第八届) of the city contest with
区级推荐 → 初赛 → 复赛 → 决赛 rounds in order. Three 长宁 organisations of their own (apart from the other demos'
``sunshine``) have their entries recommended by the 长宁 officer and forwarded by the city, reviewed by both demo
experts in 初赛 and 复赛 and advanced; the best two present at a finished roadshow (drawn, presented, scored live);
the final's 公示 is finalised, 一等奖 and 二等奖 are confirmed and the winner is introduced to a resource partner's
offer. Built through the same services as production; only deadlines are moved into the past (a demo cannot wait
for a window or a notice period to end)."""

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
from app.timezone import now_utc, today_shanghai

STAGES = (
    ("区级推荐", "district_recommendation"),
    ("初赛", "preliminary"),
    ("复赛", "semifinal"),
    ("决赛（路演）", "final"),
)
ENTRIES = (  # organisation, project, credit code body (长宁 310105), scores in 初赛 / 复赛 / 决赛
    ("长宁银龄互助服务社", "独居老人智慧陪伴", "52310105MJ0000033", (92, 90, 93)),
    ("长宁乐邻社区服务中心", "楼组议事厅", "52310105MJ0000031", (85, 86, 84)),
    ("长宁青苗青少年服务社", "四点半课堂", "52310105MJ0000032", (78, 70, 0)),
)
ANSWERS = {"summary": "面向社区居民的公益服务项目，结合志愿者与社区资源", "beneficiaries": 300, "budget_yuan": 120000}


async def _organisation(name: str, code_body: str | None, n: int) -> tuple[int, Principal]:
    if code_body is not None:
        await register(
            OrganisationRegistration(
                username=f"contest-org{n}",
                password=f"contest-org{n}-pass-2026",
                email=f"contest-org{n}@example.org",
                mobile=f"1380013803{n}",
                name=name,
                org_type=OrganisationType.social_service_institution,
                credit_code=code_body + check_character(code_body),
                district=District.changning,
                street="新华路街道",
            )
        )
    org = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    assert org is not None
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org["id"]
    )
    return int(org["id"]), Principal(member[0]["user"], f"contest-org{n}", Role.applicant, None)


async def _rounds(officer: Principal, edition_id: int, form: dict[str, Any]) -> list[int]:
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round, open_round

    now = now_utc()
    ids = []
    for position, (name, stage) in enumerate(STAGES, start=1):
        created = await create_round(
            officer,
            edition_id,
            RoundCreate(
                name=name,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + timedelta(days=1),
                blind=stage != "final",
                form_title=f"{name}申报书",
                form_schema=form,
                criteria=[
                    CriterionIn(code="innovation", name="创新性", weight=50, max_score=100),
                    CriterionIn(code="feasibility", name="可行性", weight=50, max_score=100),
                ],
                reviews_per_application=2,
                stage=stage,
                position=position,
            ),
        )
        await open_round(officer, created.id)
        ids.append(created.id)
    return ids


async def _window_ended(round_id: int) -> None:
    from programmes.tables import Round

    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == round_id)


async def _entries_of(round_id: int) -> dict[int, int]:
    """The round's entries: organisation id → application id."""
    from programmes.tables import Application

    rows = await Application.select(Application.id, Application.organisation).where(Application.round == round_id)
    return {r["organisation"]: r["id"] for r in rows}


async def _review(officer: Principal, experts: list[Principal], round_id: int, scores: dict[int, int]) -> None:
    """Both experts review every entry (application id → score) and, outside a roadshow, the round is closed."""
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    for application_id, score in scores.items():
        for n, expert in enumerate(experts):
            assignment = await assign(
                officer, AssignmentCreate(application_id=application_id, expert_id=expert.user_id)
            )
            draft = ReviewDraft(
                scores={"innovation": score, "feasibility": score - n},
                comment="服务对象明确，建议细化成效指标" if n == 0 else "仅供项目官员参考",
                comment_shareable=n == 0,
            )
            await submit_review(expert, assignment.id, draft)


async def _roadshow(officer: Principal, experts: list[Principal], round_id: int, scores: dict[int, int]) -> None:
    """Assign, commit and draw the session; each presentation started, scored live and stopped; session ended."""
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft
    from scoring.roadshow.clock import start_presentation, stop_presentation
    from scoring.roadshow.schemas import SessionCreate
    from scoring.roadshow.service import commit_session, draw_order, end_session

    assignments: dict[tuple[int, int], int] = {}
    for application_id in scores:
        for expert in experts:
            made = await assign(officer, AssignmentCreate(application_id=application_id, expert_id=expert.user_id))
            assignments[(application_id, expert.user_id)] = made.id
    session = await commit_session(officer, round_id, SessionCreate(grace_seconds=300))
    session = await draw_order(officer, session.id)
    for presentation in sorted(session.presentations, key=lambda p: p.position):
        await start_presentation(officer, presentation.id)
        for n, expert in enumerate(experts):
            score = scores[presentation.application_id]
            draft = ReviewDraft(scores={"innovation": score, "feasibility": score - n}, comment="路演表现")
            await submit_review(expert, assignments[(presentation.application_id, expert.user_id)], draft)
        await stop_presentation(officer, presentation.id)
    await _window_ended(round_id)
    await end_session(officer, session.id)


async def _prizes_and_resources(officer: Principal, edition_id: int) -> None:
    from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source
    from programmes.prizes.assignment import confirm
    from programmes.prizes.schemas import PrizeRequest, TierIn, TierPlace, TierSet
    from programmes.prizes.tiers import set_tiers
    from programmes.resources.introductions import introduce
    from programmes.resources.schemas import IntroductionCreate, ResourceOfferCreate, ResourcePartnerCreate
    from programmes.resources.service import create_partner, publish_offer
    from programmes.tables import FundSourceKind

    source = await create_fund_source(
        officer, FundSourceCreate(name="2024 年大赛奖金（福彩公益金）", kind=FundSourceKind.welfare_lottery)
    )
    line = await create_budget_line(
        officer, edition_id, BudgetLineCreate(fund_source_id=source.id, amount_fen=20_000_000)
    )
    tiers = [
        TierIn(name="一等奖", position=1, budget_line_id=line.id, places=[TierPlace(count=1, amount_fen=5_000_000)]),
        TierIn(name="二等奖", position=2, budget_line_id=line.id, places=[TierPlace(count=1, amount_fen=2_000_000)]),
    ]
    await set_tiers(officer, edition_id, TierSet(tiers=tiers))
    confirmed = await confirm(officer, edition_id, PrizeRequest())
    partner = await create_partner(
        officer, ResourcePartnerCreate(name="上海某公益基金会", kind="foundation", description="关注为老服务")
    )
    today = today_shanghai()
    offer = await publish_offer(
        officer,
        partner.id,
        ResourceOfferCreate(
            kind="mentoring",
            title="公益项目运营辅导（一年）",
            description="每月一次项目运营与筹款辅导",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=335),
        ),
    )
    winner = confirmed.prizes[0]
    await introduce(officer, offer.id, IntroductionCreate(prize_id=winner.id, note="已电话介绍双方"))


async def load_contest_stages(
    officer: Principal, district_officer: Principal, experts: list[Principal], programme_id: int, form: dict[str, Any]
) -> int:
    """The staged 2024 edition of the contest (see the module docstring); its id."""
    from programmes.catalogue.schemas import EditionCreate
    from programmes.catalogue.service import create_edition
    from programmes.recommendations.forward import forward
    from programmes.recommendations.schemas import QuotaWrite, RecommendationCreate
    from programmes.recommendations.service import recommend, set_quota
    from scoring.advancement.schemas import StageQuota
    from scoring.advancement.service import commit
    from scoring.publication.service import finalise, publish
    from scoring.tables import Publication

    edition = await create_edition(officer, programme_id, EditionCreate(year=2024, title="第八届（2024 年）"))
    rounds = await _rounds(officer, edition.id, form)
    orgs: list[int] = []
    for n, (name, title, code_body, _) in enumerate(ENTRIES, start=1):
        from programmes.applications.schemas import ApplicationCreate
        from programmes.applications.service import create_draft, submit

        org_id, member = await _organisation(name, code_body, n)
        orgs.append(org_id)
        draft = await create_draft(
            member, ApplicationCreate(round_id=rounds[0], organisation_id=org_id, title=title, answers=ANSWERS)
        )
        await submit(member, draft.id)
    # 区级推荐: the city gives 长宁 three places, the 长宁 officer recommends its entries, the city forwards them.
    await set_quota(officer, rounds[0], QuotaWrite(district=District.changning, quota=len(ENTRIES)))
    for application_id in (await _entries_of(rounds[0])).values():
        await recommend(
            district_officer,
            rounds[0],
            RecommendationCreate(application_id=application_id, reason="社区基础扎实，服务对象明确"),
        )
    await _window_ended(rounds[0])
    await forward(officer, rounds[0])
    # 初赛 and 复赛: reviewed, closed, and the best advanced (all three, then two).
    from programmes.catalogue.service import close_round

    for stage, advancing in ((1, 3), (2, 2)):
        entries = await _entries_of(rounds[stage])
        scores = {entries[org]: ENTRIES[i][3][stage - 1] for i, org in enumerate(orgs) if org in entries}
        await _review(officer, experts, rounds[stage], scores)
        await _window_ended(rounds[stage])
        await close_round(officer, rounds[stage])
        await commit(officer, rounds[stage], StageQuota(top_n=advancing))
    # 决赛: the roadshow, its 公示 finalised, the prizes.
    finalists = await _entries_of(rounds[3])
    await _roadshow(
        officer,
        experts,
        rounds[3],
        {finalists[org]: ENTRIES[i][3][2] for i, org in enumerate(orgs) if org in finalists},
    )
    published = await publish(officer, rounds[3], 7, len(finalists), None)
    now = now_utc()
    await Publication.update(
        {Publication.starts_at: now - timedelta(days=7), Publication.ends_at: now - timedelta(seconds=1)}
    ).where(Publication.id == published.id)
    await finalise(officer, published.id)
    await _prizes_and_resources(officer, edition.id)
    return edition.id
