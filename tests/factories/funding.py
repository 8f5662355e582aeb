"""A funded project in a changning programme, awarded over HTTP with a three-tranche payment plan.

Used by the agreement and report tests: the world's changning organisation (``world.applicant``) applies with one
attachment, the world's expert scores it, the changning officer closes the round and awards it.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx

from app.reference import District
from app.timezone import now_utc, shown
from tests import factories
from tests.factories.world import World

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
AMOUNT = 1_000_000
GOOD_REPORT = {
    "summary": "已建成社区助餐点并开展十二次助餐活动",
    "beneficiaries": 150,
    "outcomes": "独居老人助餐覆盖率明显提升",
    "problems": "志愿者流动较大",
    "next_steps": "扩展至两个新小区",
}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def today() -> date:
    return shown(now_utc()).date()


def plan(d1: date, d2: date) -> list[dict[str, Any]]:
    """30% on signing, 40% after milestone report 1 (due d1), 30% after the final report (due d2)."""
    return [
        {"amount_fen": 300_000, "condition": "on_signing"},
        {"amount_fen": 400_000, "condition": "milestone", "report_due_on": d1.isoformat()},
        {"amount_fen": 300_000, "condition": "final_report", "report_due_on": d2.isoformat()},
    ]


async def upload(client: httpx.AsyncClient, world: World, application_id: int) -> int:
    response = await client.post(
        f"/applications/{application_id}/attachments",
        files={"file": ("进度照片.pdf", io.BytesIO(PDF), "application/octet-stream")},
        headers=world.applicant.headers,
    )
    return int(ok(response, 201)["id"])


async def ranked_application(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A changning application with one attachment, scored, its round closed; and a budget line of its edition."""
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source
    from programmes.catalogue.service import close_round
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewSubmit

    officer = world.changning_officer.principal
    contest = await factories.contest_round(world.changning_officer, district=District.changning)
    draft = await create_draft(
        world.applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=world.org_id, title="社区助餐", answers=factories.GOOD_ANSWERS
        ),
    )
    attachment_id = await upload(client, world, draft.id)
    await submit(world.applicant.principal, draft.id)
    assignment = await assign(officer, AssignmentCreate(application_id=draft.id, expert_id=world.expert.id))
    await submit_review(
        world.expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 90})
    )
    await factories.end_round_window(contest["id"])
    await close_round(officer, contest["id"])
    source = await create_fund_source(officer, FundSourceCreate(name="福彩公益金", kind="welfare_lottery"))
    line = await create_budget_line(
        officer, contest["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000_000)
    )
    return {
        "application_id": draft.id,
        "attachment_id": attachment_id,
        "budget_line_id": line.id,
        "edition_id": contest["edition_id"],
    }


async def funded(client: httpx.AsyncClient, world: World, *, effective: bool = False) -> dict[str, Any]:
    """Award with plan [on_signing 30%, milestone 40% due D1, final 30% due D2]; optionally signed and countersigned.

    Returns the award, ``agreement_id``, ``milestone_id`` and ``final_id`` (report ids), D1/D2 and the attachment.
    """
    ranked = await ranked_application(client, world)
    d1, d2 = today() + timedelta(days=30), today() + timedelta(days=90)
    award = ok(
        await client.post(
            "/awards",
            json={
                "application_id": ranked["application_id"],
                "budget_line_id": ranked["budget_line_id"],
                "amount_fen": AMOUNT,
                "payment_plan": plan(d1, d2),
                "budget_plan": {"activities": 600_000, "personnel": 400_000},
            },
            headers=world.changning_officer.headers,
        ),
        201,
    )
    agreement = ok(await client.get(f"/agreements/{award['agreement_id']}", headers=world.applicant.headers))
    reports = {r["kind"]: r["id"] for r in agreement["reports"]}
    result = {
        **ranked,
        "award": award,
        "agreement_id": award["agreement_id"],
        "tranche_ids": [t["id"] for t in award["tranches"]],
        "milestone_id": reports["milestone"],
        "final_id": reports["final"],
        "d1": d1,
        "d2": d2,
    }
    if effective:
        await make_effective(client, world, result["agreement_id"])
    return result


async def make_effective(client: httpx.AsyncClient, world: World, agreement_id: int) -> dict[str, Any]:
    await factories.verified_bank_account(world.org_id)
    ok(
        await client.post(
            f"/agreements/{agreement_id}/sign", json={"signer_name": "王敏"}, headers=world.applicant.headers
        )
    )
    return ok(  # type: ignore[no-any-return]
        await client.post(f"/agreements/{agreement_id}/countersign", headers=world.changning_officer.headers)
    )


async def tranche_statuses(tranche_ids: list[int]) -> list[str]:
    from programmes.tables import Tranche

    rows = await Tranche.select(Tranche.id, Tranche.status).where(Tranche.id.is_in(tranche_ids))
    by_id = {r["id"]: r["status"] for r in rows}
    return [by_id[i] for i in tranche_ids]
