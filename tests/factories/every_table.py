"""At least one row in every table of the admin menu, for the browser test that opens a detail page of each.

The demo (``app.site.demo.load_demo``: accounts, programmes, last year's funded project) fills most tables through
the services; the rest are added here through the services too — a paid batch (transfers at the simulated
bank), an export, a draw with a finding, a clawback, a publication with an objection, a conflict of interest, an
expert's affiliation, report expenses. Three rows no service creates on their own in a few lines (a track, an
attachment and a risk warning) are inserted directly, shaped as their services write them.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.organisations.tables import Organisation, OrganisationMember
from app.site.demo import load_demo
from app.timezone import now_utc, today_shanghai
from programmes.attachments.tables import Attachment
from programmes.reports.tables import ProgressReport
from programmes.risk.tables import RiskWarning
from programmes.tables import Application, Award, Round, Track, Tranche
from tests import factories
from tests.factories.worker import run_worker_burst


async def _principal(username: str) -> Principal:
    user: Any = Account.user
    row = await Account.select(Account.user, Account.role, Account.district).where(user.username == username).first()
    assert row is not None, username
    return Principal(row["user"], username, Role(row["role"]), row["district"])


async def fill_every_table() -> dict[str, Any]:
    """Load the demo and add the rows it lacks. Returns the demo officer's principal and the export's id."""
    from programmes.clawbacks.service import demand
    from programmes.disbursements.schemas import BatchCreate
    from programmes.disbursements.service import approve_batch, create_batch
    from programmes.exports.service import request_export
    from programmes.reports.schemas import ExpenseLine, ReportDraft
    from programmes.reports.service import save_draft
    from programmes.tables import ExpenseCategory
    from scoring.experts.schemas import ConflictCreate, ExpertProfileWrite
    from scoring.experts.service import record_conflict, save_profile
    from scoring.publication.objections import file_objection
    from scoring.publication.service import publish

    assert await load_demo(), "the demo loads into an empty database only"
    officer = await _principal("officer")
    expert = await _principal("expert2")
    applicant = await _principal("sunshine")
    org = await Organisation.select(Organisation.id, Organisation.district).first()
    # The contest winner's award (app/site/demo/money.py), the demo's first; the 沪社星耀 demo funds two more.
    award = await Award.select(Award.id, Award.application).order_by(Award.id).first()
    assert org is not None and award is not None
    application = (
        await Application.select(Application.id, Application.round, Application.round._.edition.as_alias("edition"))
        .where(Application.id == award["application"])
        .first()
    )
    assert application is not None

    # Money: the demo's released tranche paid in a batch (ledger, batch items, the simulated bank's transfer).
    released = (
        await Tranche.select(Tranche.id).where(Tranche.award == award["id"], Tranche.status == "released").first()
    )
    assert released is not None
    batch = await create_batch(officer, BatchCreate(title="演示第一批拨付", tranche_ids=[released["id"]]))
    await approve_batch(await _principal("reviewer"), batch.id)  # four-eyes: not the builder
    export = await request_export(officer, application["round"])
    await run_worker_burst()  # pays the batch, produces the export
    await demand(officer, award["id"], 100_000, "抽查发现部分活动未开展，追回相应资金")
    drawn = await factories.inspection_draw(officer, application["edition"], 1, 1)
    from programmes.draws.service import record_finding

    await record_finding(officer, drawn["id"], drawn["projects"][0]["award_id"], "资金使用规范，台账完整")

    # Review side: the closed round published, an objection, an expert's affiliation and a declared conflict.
    publication = await publish(officer, application["round"], 7, 1, None)
    await file_objection(applicant, publication.id, application["id"], "对评审结果有异议，请求复核")
    await save_profile(
        officer, expert.user_id, ExpertProfileWrite(domains=["青少年服务"], affiliation_organisation_ids=[org["id"]])
    )
    conflict = ConflictCreate(expert_id=expert.user_id, organisation_id=org["id"], reason="曾任该机构理事")
    await record_conflict(officer, conflict)

    report = await ProgressReport.select(ProgressReport.id).where(ProgressReport.award == award["id"]).first()
    assert report is not None
    await save_draft(
        applicant,
        report["id"],
        ReportDraft(
            expenses=[
                ExpenseLine(
                    category=ExpenseCategory.activities,
                    description="助餐活动食材",
                    amount_fen=120_000,
                    spent_on=today_shanghai() - timedelta(days=3),
                )
            ]
        ),
    )

    round_row = await Round.select(Round.scope_district).where(Round.id == application["round"]).first()
    assert round_row is not None
    scope = round_row["scope_district"]
    await Track.insert(Track(round=application["round"], name="为老服务赛道", quota=3, scope_district=scope))
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == org["id"]
    )
    content = b"%PDF-1.4 demo"
    await Attachment.insert(
        Attachment(
            application=application["id"],
            storage_key=f"attachments/demo/{application['id']}-plan.pdf",
            filename="项目计划书.pdf",
            content_type="application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=member[0]["user"],
            scope_district=scope,
        )
    )
    await RiskWarning.insert(
        RiskWarning(
            kind="report_overdue",
            subject_key=f"progress_report:{report['id']}",
            award=award["id"],
            organisation=org["id"],
            detail="中期报告已逾期 3 天未提交",
            scope_district=scope,
        )
    )
    # 沪社星耀: the demo has the cohort, projects, indicators and values, mentors and meetings, camp attendance and
    # feedback, a fast-track invitation (app/site/demo/incubation.py); added here: a proposed replication, a mentor
    # rating (rows shaped as their services write them: those services need a graduation, tested in
    # tests/api/incubation), a camp material, a check-in code and a certificate (through the services).
    from programmes.incubation.tables import Replication, SupportedProject
    from scoring.mentors.tables import MentorRating, Mentorship

    project = await SupportedProject.select().order_by(SupportedProject.id).first()
    assert project is not None
    await Replication.insert(
        Replication(
            origin=project["id"],
            organisation=org["id"],
            title="社区长者陪伴（复制点）",
            district=org["district"],
            street="测试街道",
            scope_district=org["district"],
        )
    )
    # 决赛路演 (issue 15): an ended roadshow session on the demo's closed round, its one presentation and a public
    # vote (rows shaped as scoring/roadshow writes them; its services are tested in tests/api/scoring).
    from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession, RoadshowVote

    seed = "0" * 64
    moment = now_utc()
    session = await RoadshowSession.insert(
        RoadshowSession(
            round=application["round"],
            status="ended",
            seed_hash=hashlib.sha256(seed.encode()).hexdigest(),
            seed=seed,
            entries=[application["id"]],
            vote_weight_percent=10,
            drawn_at=moment - timedelta(hours=2),
            ended_at=moment,
            scope_district=scope,
        )
    ).returning(RoadshowSession.id)
    await RoadshowPresentation.insert(
        RoadshowPresentation(
            session=session[0]["id"],
            application=application["id"],
            position=1,
            planned_minutes=8,
            started_at=moment - timedelta(hours=1),
            stopped_at=moment - timedelta(minutes=52),
            scope_district=scope,
        )
    )
    await RoadshowVote.insert(
        RoadshowVote(session=session[0]["id"], voter=applicant.user_id, application=application["id"])
    )
    # Prizes and resource links (issue 15): the demo's funded project as a 一等奖 winner introduced to a venue offer
    # (rows shaped as programmes/prizes and programmes/resources write them; their services are tested in
    # tests/api/prizes).
    from programmes.prizes.tables import Prize, PrizeConfirmation, PrizeTier
    from programmes.resources.tables import ResourceIntroduction, ResourceOffer, ResourcePartner

    line = await Award.select(Award.budget_line, Award.amount_fen).where(Award.id == award["id"]).first()
    assert line is not None
    tier = await PrizeTier.insert(
        PrizeTier(
            edition=application["edition"],
            name="一等奖",
            position=1,
            budget_line=line["budget_line"],
            places=[{"track": None, "count": 1, "amount_fen": line["amount_fen"]}],
            scope_district=scope,
        )
    ).returning(PrizeTier.id)
    confirmation = await PrizeConfirmation.insert(
        PrizeConfirmation(
            edition=application["edition"],
            round=application["round"],
            confirmed_by=officer.user_id,
            confirmed_at=now_utc(),
            scope_district=scope,
        )
    ).returning(PrizeConfirmation.id)
    prize = await Prize.insert(
        Prize(
            confirmation=confirmation[0]["id"],
            tier=tier[0]["id"],
            application=award["application"],
            organisation=org["id"],
            rank=1,
            amount_fen=line["amount_fen"],
            award=award["id"],
            verification_code="DEMOPRIZE234",
            scope_district=scope,
        )
    ).returning(Prize.id)
    partner = await ResourcePartner.insert(
        ResourcePartner(name="上海某公益基金会", kind="foundation", created_by=officer.user_id, scope_district=scope)
    ).returning(ResourcePartner.id)
    offer = await ResourceOffer.insert(
        ResourceOffer(
            partner=partner[0]["id"],
            kind="venue",
            title="社区活动室免费使用",
            valid_from=today_shanghai(),
            valid_until=today_shanghai() + timedelta(days=180),
            scope_district=scope,
        )
    ).returning(ResourceOffer.id)
    await ResourceIntroduction.insert(
        ResourceIntroduction(
            offer=offer[0]["id"],
            prize=prize[0]["id"],
            notes=[{"at": now_utc().isoformat(), "by": officer.user_id, "action": "introduce", "note": "已电话介绍"}],
            introduced_by=officer.user_id,
            scope_district=scope,
        )
    )
    mentorship = await Mentorship.select().order_by(Mentorship.id).first()
    assert mentorship is not None
    await MentorRating.insert(
        MentorRating(
            mentorship=mentorship["id"],
            score=5,
            comment="导师每月来访，建议具体可行",
            rated_by=applicant.user_id,
            scope_district=mentorship["scope_district"],
        )
    )
    await _camp_rows(officer)
    # A credit-code claim (认领) on the demo organisation, pending, through its service.
    from app.organisations.claims import submit
    from app.organisations.schemas import OrganisationClaimCreate

    code = await Organisation.select(Organisation.credit_code).where(Organisation.credit_code.is_not_null()).first()
    assert code is not None
    await submit(
        OrganisationClaimCreate(
            username="claimant",
            password="claimant-pass-2026",
            email="claimant@example.org",
            mobile="13900139000",
            credit_code=code["credit_code"],
            name="上海阳光社区公益服务社",
            evidence="登记证书编号 沪民证字第0001号",
        )
    )
    # 区级推荐: a quota, a recommendation and the forward's record (rows shaped as programmes/recommendations writes
    # them; its services are tested in tests/api/recommendations).
    from programmes.recommendations.tables import DistrictQuota, Recommendation, RecommendationClosure

    district = org["district"]
    await DistrictQuota.insert(
        DistrictQuota(
            round=application["round"], district=district, quota=1, scope_district=scope, updated_at=now_utc()
        )
    )
    await Recommendation.insert(
        Recommendation(
            round=application["round"],
            application=application["id"],
            district=district,
            reason="社区基础扎实，服务对象明确",
            status="forwarded",
            scope_district=scope,
            created_at=now_utc(),
        )
    )
    await RecommendationClosure.insert(
        RecommendationClosure(
            round=application["round"],
            next_round=application["round"],
            advanced=1,
            scope_district=scope,
            closed_at=now_utc(),
        )
    )
    return {"officer": officer, "export_id": export.id}


async def _camp_rows(officer: Principal) -> None:
    """A material on the demo camp, a check-in code for its next session, and 阳光's certificate once an officer
    records its third session (the completion rule is 80 %)."""
    from programmes.camps.attendance import correct_attendance
    from programmes.camps.certificates import issue_for_camp
    from programmes.camps.checkin import issue_code
    from programmes.camps.schemas_attendance import AttendanceCorrection
    from programmes.camps.tables import Camp, CampMaterial, CampRegistration, CampSession

    camp = await Camp.select(Camp.id, Camp.scope_district).order_by(Camp.id).first()
    assert camp is not None
    sessions = await CampSession.select(CampSession.id).where(CampSession.camp == camp["id"]).order_by(CampSession.id)
    content = b"%PDF-1.4 handout"
    await CampMaterial.insert(
        CampMaterial(
            camp=camp["id"],
            session=sessions[0]["id"],
            storage_key=f"camps/demo/{camp['id']}-handout.pdf",
            filename="品牌定位讲义.pdf",
            content_type="application/pdf",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=officer.user_id,
            scope_district=camp["scope_district"],
        )
    )
    await issue_code(officer, int(sessions[-1]["id"]))
    first = (
        await CampRegistration.select(CampRegistration.id)
        .where(CampRegistration.camp == camp["id"])
        .order_by(CampRegistration.id)
        .first()
    )
    assert first is not None
    correction = AttendanceCorrection(present=True, reason="补录：现场签到表")
    await correct_attendance(officer, int(sessions[-1]["id"]), int(first["id"]), correction)
    issued = await issue_for_camp(officer, int(camp["id"]))
    assert issued.issued >= 1, issued
