"""The whole journey of one project (issue 14), over HTTP wherever a route exists: a 公益创新创业大赛 award → fast-track
invitation accepted → the 沪社星耀 application submitted, reviewed and selected → awarded and in a cohort → camp
registration and check-in → a mentor assigned who logs a meeting → a milestone report, accepted, releases its
tranche, which is paid → the project's graduation round reviewed (blind) → 优秀, the mentor rated → replication
approved in another district. Each step asserts the data it carried from the one before."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from app.timezone import SHANGHAI, today_shanghai
from programmes.camps import checkin
from programmes.ledger.tables import LedgerEntry
from programmes.tables import Application, Tranche
from scoring.tables import ExpertProfile
from tests import factories
from tests.factories import GOOD_ANSWERS, User
from tests.factories.applications import act, submitted
from tests.factories.camps import open_camp, registration_body, session_body
from tests.factories.funding import GOOD_REPORT, plan
from tests.factories.graduation import graduation_experts, graduation_round, review_entry
from tests.factories.http import ok
from tests.factories.worker import run_worker_burst

MAPPING = [
    {"contest_field": "summary", "support_field": "summary"},
    {"contest_field": "beneficiaries", "support_field": "beneficiaries"},
    {"contest_field": "contact_person", "support_field": "contact_person"},
]
SESSION_DAY = today_shanghai() + timedelta(days=7)


async def _reviewed(client: httpx.AsyncClient, officer: User, application_id: int, score: int) -> None:
    expert = await factories.user(Role.expert)
    assignment = ok(
        await client.post(
            "/assignments", json={"application_id": application_id, "expert_id": expert.id}, headers=officer.headers
        ),
        201,
    )
    review = {"scores": {"innovation": score, "feasibility": score}, "comment": "思路清晰"}
    ok(await client.post(f"/reviews/{assignment['id']}/submit", json=review, headers=expert.headers))


async def _closed(client: httpx.AsyncClient, officer: User, round_id: int) -> list[dict[str, object]]:
    await factories.end_round_window(round_id)
    ranking: list[dict[str, object]] = ok(await client.post(f"/rounds/{round_id}/close", headers=officer.headers))
    return ranking


async def test_one_project_from_contest_award_to_replication(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await factories.user(Role.officer)
    second = User(await factories.second_officer(officer.principal))
    org_id, member = await factories.organisation(District.changning, name="长宁阳光助老服务社")
    other_org_id, _ = await factories.organisation(District.pudong, name="浦东花木社区服务中心")
    staff, applicant = officer.headers, member.headers

    # 1. 公益创新创业大赛: submitted, reviewed, ranked, awarded.
    contest = await factories.contest_round(officer, reviews_per_application=1)
    entry = await submitted(client, member, org_id, contest["id"], title="银龄助餐")
    await _reviewed(client, officer, entry["id"], 90)
    assert [r["application_id"] for r in await _closed(client, officer, contest["id"])] == [entry["id"]]
    line = await budget_line_for(officer, contest["edition_id"])
    prize = ok(
        await client.post(
            "/awards", json={"application_id": entry["id"], "budget_line_id": line, "amount_fen": 50_000}, headers=staff
        ),
        201,
    )
    assert prize["application_id"] == entry["id"]

    # 2. Fast-track into 沪社星耀: the draft is pre-filled from the contest answers, linked to its origin.
    support = await factories.contest_round(officer, kind="support_plan", reviews_per_application=1, blind=False)
    body = {"origin_application_id": entry["id"], "round_id": support["id"], "mapping": MAPPING}
    invitation = ok(await client.post("/fasttrack/invitations", json=body, headers=staff), 201)
    ok(await client.post(f"/fasttrack/invitations/{invitation['id']}/accept", headers=applicant), 201)
    support_id = invitation["application_id"]
    origin = ok(await client.get(f"/fasttrack/applications/{support_id}/origin", headers=applicant))
    assert origin["origin_application_id"] == entry["id"] and origin["award_amount_fen"] == 50_000
    sent = ok(await client.post(f"/applications/{support_id}/submit", headers=applicant))
    assert sent["status"] == "submitted" and sent["answers"] == GOOD_ANSWERS

    # 3. Reviewed, ranked and selected; awarded with a milestone plan; the agreement takes effect.
    await _reviewed(client, officer, support_id, 85)
    await _closed(client, officer, support["id"])
    [selected] = await act(client, officer, "select", [support_id])
    assert selected["status"] == "selected"
    d1, d2 = today_shanghai() + timedelta(days=30), today_shanghai() + timedelta(days=90)
    award = ok(
        await client.post(
            "/awards",
            json={
                "application_id": support_id,
                "budget_line_id": await budget_line_for(officer, support["edition_id"]),
                "amount_fen": 1_000_000,
                "payment_plan": plan(d1, d2),
                "budget_plan": {"activities": 600_000, "personnel": 400_000},
            },
            headers=staff,
        ),
        201,
    )
    await factories.verified_bank_account(org_id)
    agreement = f"/agreements/{award['agreement_id']}"
    ok(await client.post(f"{agreement}/sign", json={"signer_name": "王敏"}, headers=applicant))
    ok(await client.post(f"{agreement}/countersign", headers=staff))
    reports = {r["kind"]: r["id"] for r in ok(await client.get(agreement, headers=applicant))["reports"]}

    # 4. The cohort holds the project; its plan has one indicator.
    cohort = ok(
        await client.post(
            "/incubation/cohorts", json={"edition_id": support["edition_id"], "name": "2026 年第一期"}, headers=staff
        ),
        201,
    )
    project = ok(
        await client.post(
            f"/incubation/cohorts/{cohort['id']}/projects", json={"application_id": support_id}, headers=staff
        ),
        201,
    )
    assert (project["award_id"], project["organisation_id"], project["title"]) == (award["id"], org_id, "银龄助餐")
    url = f"/incubation/projects/{project['id']}"
    indicator = {"name": "助餐人次", "unit": "人次", "baseline": 0, "target": 1200}
    planned = ok(
        await client.put(f"{url}/plan", json={"goals": "独居老人助餐", "indicators": [indicator]}, headers=applicant)
    )
    indicator_id = planned["indicators"][0]["id"]

    # 5. 品牌塑造营: registration, then check-in with the session's code inside its window.
    camp = await open_camp(client, officer, capacity=5)
    session = ok(
        await client.post(
            f"/camps/{camp['id']}/sessions", json=session_body(session_date=SESSION_DAY.isoformat()), headers=staff
        ),
        201,
    )
    seat = ok(
        await client.post(f"/camps/{camp['id']}/registrations", json=registration_body(org_id), headers=applicant), 201
    )
    assert seat["status"] == "registered"
    monkeypatch.setattr(checkin, "now_utc", lambda: datetime.combine(SESSION_DAY, time(9, 30), tzinfo=SHANGHAI))
    code = ok(await client.post(f"/camps/sessions/{session['id']}/checkin-code", headers=staff), 201)["code"]
    present = ok(await client.post(f"/camps/sessions/{session['id']}/checkin", json={"code": code}, headers=applicant))
    assert present["present"] is True and present["registration_id"] == seat["id"]

    # 6. A mentor from the expert pool, by the solver (k = 1); the mentor logs a meeting the project reads.
    mentor = await factories.user(Role.expert)
    await ExpertProfile.insert(ExpertProfile(expert=mentor.id, domains=["为老服务"]))
    profile = {"mentor": True, "domains": ["为老服务"], "max_projects": 2}
    ok(await client.put(f"/mentors/profiles/{mentor.id}", json=profile, headers=staff))
    committed = ok(await client.post(f"/mentors/rounds/{support['id']}/commit", json={}, headers=staff), 201)
    assert [(p["application_id"], p["mentor_id"]) for p in committed["pairs"]] == [(support_id, mentor.id)]
    [mentorship] = ok(await client.get("/mentors/mentorships", headers=applicant))
    meeting = {
        "met_on": today_shanghai().isoformat(),
        "topic": "品牌定位",
        "advice": "聚焦独居老人",
        "follow_ups": "两周后复盘",
    }
    ok(
        await client.post(f"/mentors/mentorships/{mentorship['id']}/meetings", json=meeting, headers=mentor.headers),
        201,
    )
    [logged] = ok(await client.get(f"/mentors/mentorships/{mentorship['id']}/meetings", headers=applicant))
    assert logged["topic"] == "品牌定位"

    # 7. Milestone report with the indicator's value; accepted, it releases its tranche, which is then paid.
    milestone = reports["milestone"]
    values = {"report_id": milestone, "values": [{"indicator_id": indicator_id, "value": 1300}]}
    ok(await client.post(f"{url}/indicator-values", json=values, headers=applicant))
    ok(await client.put(f"/reports/{milestone}", json={"answers": GOOD_REPORT}, headers=applicant))
    ok(await client.post(f"/reports/{milestone}/submit", headers=applicant))
    ok(await client.post(f"/reports/{milestone}/accept", headers=staff))
    tranches = [t["id"] for t in award["tranches"]]
    batch = ok(
        await client.post("/payment-batches", json={"title": "首笔与中期", "tranche_ids": tranches[:2]}, headers=staff),
        201,
    )
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=second.headers))
    await run_worker_burst()
    paid = await Tranche.select(Tranche.status).where(Tranche.id.is_in(tranches[:2]))
    assert [t["status"] for t in paid] == ["paid", "paid"]
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 2
    midway = ok(await client.get(url, headers=applicant))
    first = next(m for m in midway["milestones"] if m["kind"] == "milestone")
    assert (first["status"], first["tranche_status"]) == ("accepted", "paid")
    assert midway["indicators"][0]["current"] == 1300 and midway["indicators"][0]["reached"] is True

    # 8. 结项评估: the application carried into the blind graduation round with its record, reviewed by two experts.
    grad = await graduation_round(officer, support["edition_id"], blind=True, reviews=2)
    started = ok(await client.post(f"{url}/graduation/start", json={"round_id": grad["id"]}, headers=staff))
    entry_id = started["evaluation"]["entry_id"]
    carried = await Application.select().where(Application.id == entry_id).first().output(load_json=True)
    assert carried is not None and carried["carried_from"] == support_id and carried["status"] == "submitted"
    assert carried["submitted_answers"]["summary"] == GOOD_ANSWERS["summary"]  # from the contest, via the fast-track
    record = carried["submitted_answers"]["graduation"]
    assert record["indicators"][0]["current"] == 1300 and record["milestones"][0]["tranche_status"] == "paid"
    experts = await graduation_experts(2)
    views = await review_entry(client, officer, entry_id, experts, [(95, 90), (90, 85)])
    assert all(v["organisation_name"] is None and "contact_person" not in v["answers"] for v in views)
    done = ok(
        await client.post(f"{url}/graduation", json={"outcome": "excellent", "reason": "指标超额完成"}, headers=staff)
    )
    assert done["status"] == "excellent" and done["evaluation"]["mean_score"] == 90.5  # (93 + 88) / 2
    seen = ok(await client.get(url, headers=applicant))["evaluation"]
    assert all(set(s) == {"score", "comment"} for s in seen["scores"])  # blind: no expert names
    rating = ok(
        await client.post(f"/mentors/mentorships/{mentorship['id']}/rating", json={"score": 5}, headers=applicant), 201
    )
    assert rating["score"] == 5

    # 9. 复制推广 in another district by another organisation, the origin organisation as adviser.
    proposal = {
        "origin_project_id": project["id"],
        "organisation_id": other_org_id,
        "title": "银龄助餐（浦东花木复制点）",
        "district": "pudong",
        "street": "花木街道",
        "beneficiaries": 300,
        "origin_as_adviser": True,
    }
    replication = ok(await client.post("/incubation/replications", json=proposal, headers=staff), 201)
    assert replication["adviser_organisation_id"] == org_id
    approved = ok(await client.post(f"/incubation/replications/{replication['id']}/approve", headers=staff))
    assert approved["status"] == "approved"
    lineage = ok(await client.get(f"{url}/lineage", headers=staff))
    assert [n["replication"]["id"] for n in lineage["replications"]] == [replication["id"]]
    assert lineage["per_district"] == [{"district": "pudong", "replications": 1, "beneficiaries": 300}]
    practice = ok(await client.get(f"/incubation/practices/{project['id']}"))
    assert (practice["outcome"], practice["replications"], practice["beneficiaries"]) == ("excellent", 1, 300)


async def budget_line_for(officer: User, edition_id: int) -> int:
    from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source

    source = await create_fund_source(officer.principal, FundSourceCreate(name="福彩公益金", kind="welfare_lottery"))
    created = await create_budget_line(
        officer.principal, edition_id, BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000_000)
    )
    return int(created.id)
