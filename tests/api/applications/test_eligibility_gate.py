"""Eligibility is a gate, not a label: a screened-ineligible application gets no expert, no advancement, no place in
a 公示 and no award on any path until an officer records a written override — and a listing after submission
re-screens it and raises a 预警 while it is still in review."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from app.organisations.registry import correct_facts
from app.organisations.schemas import OrganisationCorrection
from app.outbox import OutboxMessage
from programmes.applications.schemas import ApplicationCreate
from programmes.applications.service import create_draft, submit
from programmes.tables import Application, Award
from scoring.tables import Publication, ReviewAssignment
from tests import factories
from tests.factories import GOOD_ANSWERS, User
from tests.factories.worker import run_worker_burst
from tests.factories.world import World


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def today() -> Any:
    from app.timezone import today_shanghai

    return today_shanghai()


async def applied(round_id: int, org_id: int, member: User, title: str = "社区助餐") -> int:
    draft = await create_draft(
        member.principal,
        ApplicationCreate(round_id=round_id, organisation_id=org_id, title=title, answers=GOOD_ANSWERS),
    )
    await submit(member.principal, draft.id)
    return int(draft.id)


async def list_abnormal(officer: User, org_id: int, field: str = "abnormal_listed_on") -> None:
    await correct_facts(officer.principal, org_id, OrganisationCorrection(**{field: today(), "reason": "名录公告"}))


def codes(response: httpx.Response) -> set[str]:
    return {e["code"] for e in response.json()["errors"]}


async def budget_line(officer: User, edition_id: int) -> int:
    from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source

    source = await create_fund_source(officer.principal, FundSourceCreate(name="福彩公益金", kind="welfare_lottery"))
    line = await create_budget_line(
        officer.principal, edition_id, BudgetLineCreate(fund_source_id=source.id, amount_fen=100_000_000)
    )
    return int(line.id)


async def review(expert: User, application_id: int, score: int = 80) -> None:
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewSubmit

    row = (
        await ReviewAssignment.select(ReviewAssignment.id)
        .where((ReviewAssignment.application == application_id) & (ReviewAssignment.expert == expert.id))
        .first()
    )
    assert row is not None
    await submit_review(expert.principal, row["id"], ReviewSubmit(scores={"innovation": score, "feasibility": score}))


async def test_listed_a_second_before_submitting_gets_no_expert_until_overridden(
    client: httpx.AsyncClient, world: World
) -> None:
    officer = world.city_officer
    ok(
        await client.put(
            f"/experts/{world.expert.id}/profile",
            json={"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 5},
            headers=officer.headers,
        )
    )
    call = await factories.contest_round(officer, reviews_per_application=1)
    listed_org, listed_member = await factories.organisation()
    clean_org, clean_member = await factories.organisation()
    await list_abnormal(officer, listed_org)
    listed = await applied(call["id"], listed_org, listed_member)
    clean = await applied(call["id"], clean_org, clean_member)
    assert (await Application.select(Application.eligibility_outcome).where(Application.id == listed).first()) == {
        "eligibility_outcome": "ineligible"
    }

    # Manual assignment: refused with the screening's codes, nothing written.
    refused = await client.post(
        "/assignments", json={"application_id": listed, "expert_id": world.expert.id}, headers=officer.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "ineligible"
    assert "listed_abnormal" in codes(refused) and "listed_abnormal" in refused.json()["detail"]
    # The solver (preview and commit) staffs only the application that passes.
    preview = ok(await client.post(f"/rounds/{call['id']}/assignment-preview", headers=officer.headers))
    assert {p["application_id"] for p in preview["pairs"]} == {clean}
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    assert await ReviewAssignment.count().where(ReviewAssignment.application == listed) == 0
    assert await ReviewAssignment.count().where(ReviewAssignment.application == clean) == 1
    status = await Application.select(Application.status).where(Application.id == listed).first()
    assert status == {"status": "submitted"}

    # 50 officers' clicks at once change nothing either.
    experts = [await factories.user(factories.Role.expert) for _ in range(50)]
    answers = await asyncio.gather(
        *[
            client.post("/assignments", json={"application_id": listed, "expert_id": e.id}, headers=officer.headers)
            for e in experts
        ]
    )
    assert {a.status_code for a in answers} == {409}
    assert await ReviewAssignment.count().where(ReviewAssignment.application == listed) == 0

    # A written override (who, when, why, for which findings) opens the gate.
    ok(
        await client.post(
            f"/applications/{listed}/eligibility-override",
            json={"reason": "经核实已于当日移出名录，公告见区民政局网站"},
            headers=officer.headers,
        )
    )
    row = (
        await Application.select(Application.eligibility).where(Application.id == listed).first().output(load_json=True)
    )
    assert row is not None
    override = row["eligibility"]["override"]
    assert override["by"] == officer.id and override["codes"] == ["listed_abnormal"] and override["at"]
    ok(
        await client.post(
            "/assignments", json={"application_id": listed, "expert_id": world.expert.id}, headers=officer.headers
        ),
        201,
    )

    # A new finding after the override closes the gate again (the override covered the listing only).
    await list_abnormal(officer, listed_org, "serious_violation_listed_on")
    await run_worker_burst()
    again = await client.post(
        "/assignments", json={"application_id": listed, "expert_id": world.other_expert.id}, headers=officer.headers
    )
    assert again.status_code == 409 and "listed_serious_violation" in codes(again)


async def test_listing_during_review_rescreens_warns_and_blocks_notice_advance_and_award(
    client: httpx.AsyncClient, world: World
) -> None:
    officer = world.city_officer
    call = await factories.contest_round(officer, reviews_per_application=1)
    org_id, member = await factories.organisation()
    other_org, other_member = await factories.organisation()
    application = await applied(call["id"], org_id, member)
    other = await applied(call["id"], other_org, other_member)
    for a in (application, other):
        ok(
            await client.post(
                "/assignments", json={"application_id": a, "expert_id": world.expert.id}, headers=officer.headers
            ),
            201,
        )
        await review(world.expert, a, 90 if a == application else 70)

    # Listed during review, through the API: the change stages a re-screen, run by the worker after commit.
    ok(
        await client.patch(
            f"/organisations/{org_id}",
            json={"abnormal_listed_on": today().isoformat(), "reason": "区民政局活动异常名录公告"},
            headers=officer.headers,
        )
    )
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "rescreen_organisation") == 1
    await run_worker_burst()
    row = await Application.select(Application.eligibility_outcome).where(Application.id == application).first()
    assert row == {"eligibility_outcome": "ineligible"}
    warnings = ok(await client.get("/risk-warnings/?kind=application_ineligible", headers=officer.headers))
    assert [w["organisation_id"] for w in warnings] == [org_id] and str(application) in warnings[0]["detail"]
    assert warnings[0]["award_id"] is None and warnings[0]["kind_zh"] == "在审申报资格复查未通过"
    await run_worker_burst()  # nothing left: the job is idempotent and a rerun raises nothing new
    assert len(ok(await client.get("/risk-warnings/?kind=application_ineligible", headers=officer.headers))) == 1

    await factories.end_round_window(call["id"])
    ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    line = await budget_line(officer, call["edition_id"])
    award_body = {"application_id": application, "budget_line_id": line, "amount_fen": 1_000_000}

    # Not listed in a 公示 (the whole publication is refused, naming the application and its codes) …
    notice = await client.post(f"/rounds/{call['id']}/publication", json={"days": 7}, headers=officer.headers)
    assert notice.status_code == 409 and notice.json()["code"] == "ineligible"
    assert {(e["field"], e["code"]) for e in notice.json()["errors"]} == {
        (f"applications[{application}]", "listed_abnormal")
    }
    assert await Publication.count() == 0
    # … not advanced (bulk officer action, also the admin form's path) …
    [result] = ok(
        await client.post(
            "/applications/actions",
            json={"action": "advance", "application_ids": [application]},
            headers=officer.headers,
        )
    )
    assert result["ok"] is False and result["code"] == "ineligible"
    # … and not awarded.
    refused = await client.post("/awards", json=award_body, headers=officer.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "ineligible" and "listed_abnormal" in codes(refused)
    assert await Award.count() == 0

    ok(
        await client.post(
            f"/applications/{application}/eligibility-override",
            json={"reason": "名录列入系误登，区民政局书面更正"},
            headers=officer.headers,
        )
    )
    publication = ok(
        await client.post(f"/rounds/{call['id']}/publication", json={"days": 7}, headers=officer.headers), 201
    )
    assert application in {e["application_id"] for e in publication["entries"]}
    running = await client.post("/awards", json=award_body, headers=officer.headers)
    assert running.status_code == 409 and running.json()["code"] == "publication_running"
    await factories.end_notice_period(publication["id"])
    ok(await client.post("/awards", json=award_body, headers=officer.headers), 201)


async def test_awards_follow_the_notice(client: httpx.AsyncClient, world: World) -> None:
    officer = world.city_officer
    call = await factories.contest_round(officer, reviews_per_application=1)
    first_org, first = await factories.organisation()
    second_org, second = await factories.organisation()
    top = await applied(call["id"], first_org, first)
    runner_up = await applied(call["id"], second_org, second)
    for a, score in ((top, 90), (runner_up, 60)):
        ok(
            await client.post(
                "/assignments", json={"application_id": a, "expert_id": world.expert.id}, headers=officer.headers
            ),
            201,
        )
        await review(world.expert, a, score)
    await factories.end_round_window(call["id"])
    ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    publication = ok(
        await client.post(f"/rounds/{call['id']}/publication", json={"days": 7, "top_n": 1}, headers=officer.headers),
        201,
    )
    assert [e["application_id"] for e in publication["entries"]] == [top]
    objection = ok(
        await client.post(
            f"/publications/{publication['id']}/objections",
            json={"application_id": top, "reason": "项目内容与其他获奖项目雷同"},
            headers=world.other_applicant.headers,
        ),
        201,
    )
    await factories.end_notice_period(publication["id"])
    line = await budget_line(officer, call["edition_id"])

    never_published = await client.post(
        "/awards",
        json={"application_id": runner_up, "budget_line_id": line, "amount_fen": 1_000},
        headers=officer.headers,
    )
    assert never_published.status_code == 409 and never_published.json()["code"] == "not_published"
    objected = await client.post(
        "/awards", json={"application_id": top, "budget_line_id": line, "amount_fen": 1_000}, headers=officer.headers
    )
    assert objected.status_code == 409 and objected.json()["code"] == "objections_open"
    assert await Award.count() == 0

    ok(
        await client.post(
            f"/objections/{objection['id']}/resolve",
            json={"decision": "dismissed", "resolution": "经核查不构成雷同"},
            headers=officer.headers,
        )
    )
    # Fifty concurrent awards of the one published application: exactly one obligation.
    answers = await asyncio.gather(
        *[
            client.post(
                "/awards",
                json={"application_id": top, "budget_line_id": line, "amount_fen": 1_000},
                headers=officer.headers,
            )
            for _ in range(50)
        ]
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 49
    assert await Award.count().where(Award.application == top) == 1
    assert await Award.count() == 1


async def test_daily_scan_rescreens_what_only_the_calendar_changed(client: httpx.AsyncClient, world: World) -> None:
    """A certificate that expired overnight changed no row: the cron's re-screen finds it and warns."""
    from app.site.worker import risk_scan
    from tests.factories.owner import as_owner

    officer = world.city_officer
    call = await factories.contest_round(officer)
    org_id, member = await factories.organisation()
    application = await applied(call["id"], org_id, member)
    ok(
        await client.post(
            "/assignments", json={"application_id": application, "expert_id": world.expert.id}, headers=officer.headers
        ),
        201,
    )
    yesterday = (today() - timedelta(days=1)).isoformat()
    await as_owner(f"UPDATE organisation SET certificate_expires_on = '{yesterday}' WHERE id = {org_id}")  # noqa: S608
    counts = await risk_scan({})
    assert counts["changed"] >= 1 and counts["raised"] >= 1
    row = await Application.select(Application.eligibility_outcome).where(Application.id == application).first()
    assert row == {"eligibility_outcome": "ineligible"}
    [warning] = ok(await client.get("/risk-warnings/?kind=application_ineligible", headers=officer.headers))
    assert "过期" in warning["detail"]
    assert (await risk_scan({}))["changed"] == 0  # the same facts on the same day: nothing re-written


async def test_write_paths_reporting_after_commit_enqueue_the_same_job(world: World) -> None:
    """The registry import and verifications report changed organisations after their commit: one job each."""
    from programmes.applications.rescreening import enqueue_rescreen

    await enqueue_rescreen([world.org_id, world.other_org_id, world.org_id])
    staged = (
        await OutboxMessage.select(OutboxMessage.kwargs)
        .where(OutboxMessage.job_name == "rescreen_organisation")
        .output(load_json=True)
    )
    assert sorted(m["kwargs"]["organisation_id"] for m in staged) == sorted([world.org_id, world.other_org_id])
    await run_worker_burst()  # and the worker runs them (nothing to change: both organisations pass)
    outcome = await Application.select(Application.eligibility_outcome).where(Application.id == world.submitted_id)
    assert outcome == [{"eligibility_outcome": "eligible"}]


async def test_a_ranked_application_rejected_as_ineligible_is_left_off_the_notice(
    client: httpx.AsyncClient, world: World
) -> None:
    officer = world.city_officer
    call = await factories.contest_round(officer, reviews_per_application=1)
    org_id, member = await factories.organisation()
    other_org, other_member = await factories.organisation()
    application = await applied(call["id"], org_id, member)
    other = await applied(call["id"], other_org, other_member)
    for a in (application, other):
        ok(
            await client.post(
                "/assignments", json={"application_id": a, "expert_id": world.expert.id}, headers=officer.headers
            ),
            201,
        )
        await review(world.expert, a, 90 if a == application else 70)
    ok(
        await client.patch(
            f"/organisations/{org_id}",
            json={"abnormal_listed_on": today().isoformat(), "reason": "区民政局活动异常名录公告"},
            headers=officer.headers,
        )
    )
    await run_worker_burst()
    await factories.end_round_window(call["id"])
    ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))

    # Rejecting (instead of overriding) settles it: the notice lists the rest, never the rejected application.
    [result] = ok(
        await client.post(
            "/applications/actions",
            json={"action": "reject", "application_ids": [application], "reason": "列入活动异常名录，不予立项"},
            headers=officer.headers,
        )
    )
    assert result["ok"] is True and result["status"] == "rejected"
    publication = ok(
        await client.post(f"/rounds/{call['id']}/publication", json={"days": 7, "top_n": 1}, headers=officer.headers),
        201,
    )
    assert [e["application_id"] for e in publication["entries"]] == [other]
