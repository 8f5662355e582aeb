"""Helpers for the Piccolo Admin tests: one logged-in httpx client per user, over the real ASGI app.

The ``admin_client`` fixture that makes these sessions lives in tests/admin/conftest.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx

from app.auth.tables import Role
from app.reference import District
from tests import factories

PASSWORD = "password-123"
# Piccolo Admin rate-limits logins per client IP (20 per 5 minutes, in memory, for the life of the app): every
# admin client gets an address of its own so a full test run never trips it.
client_addresses = itertools.count(1)


class AdminSession:
    """An httpx client with the cookies of one admin login, plus the CSRF header unsafe methods need."""

    def __init__(self, http: httpx.AsyncClient, user: factories.User | None) -> None:
        self.http = http
        self.user = user

    @property
    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken") or ""}

    async def start(self) -> None:
        """GET /admin/ sets the ``csrftoken`` cookie the login form needs."""
        response = await self.http.get("/admin/")
        assert response.status_code == 200, response.text
        assert self.http.cookies.get("csrftoken")

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post(
            "/admin/public/login/", json={"username": username, "password": password}, headers=self.csrf
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(f"/admin/api/{path}", **kwargs)

    async def post(self, path: str, json: Any) -> httpx.Response:
        return await self.http.post(f"/admin/api/{path}", json=json, headers=self.csrf)

    async def patch(self, path: str, json: Any) -> httpx.Response:
        return await self.http.patch(f"/admin/api/{path}", json=json, headers=self.csrf)

    async def put(self, path: str, json: Any) -> httpx.Response:
        return await self.http.put(f"/admin/api/{path}", json=json, headers=self.csrf)

    async def delete(self, path: str) -> httpx.Response:
        return await self.http.delete(f"/admin/api/{path}", headers=self.csrf)


AdminFactory = Callable[..., Awaitable[AdminSession]]


async def draft_batch(officer: factories.User, district: District | None) -> dict[str, Any]:
    """The whole chain through the services, up to a draft payment batch of one released tranche, plus a second
    award whose agreement is signed and awaits the officer's countersignature.

    Programme (of ``district``, or city level) → open round → submitted application → one review → closed round
    with a ranking → award on a budget line → batch. ``officer`` must be in scope for ``district``.
    """
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate
    from programmes.awards.service import create_budget_line, create_fund_source
    from programmes.catalogue.service import close_round
    from programmes.disbursements.schemas import BatchCreate
    from programmes.disbursements.service import create_batch
    from programmes.tables import FundSourceKind
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewSubmit

    staff = officer.principal
    contest = await factories.contest_round(officer, district=district)
    org_id, applicant = await factories.organisation(district=district or District.changning)
    expert = await factories.user(Role.expert)
    draft = await create_draft(
        applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=org_id, title="社区助餐", answers=factories.GOOD_ANSWERS
        ),
    )
    await submit(applicant.principal, draft.id)
    assignment = await assign(staff, AssignmentCreate(application_id=draft.id, expert_id=expert.id))
    await submit_review(expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 90}))
    # A second organisation's application: awarded below with its agreement signed, awaiting countersignature.
    second_org, second_applicant = await factories.organisation(district=district or District.changning)
    second = await create_draft(
        second_applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=second_org, title="邻里守望", answers=factories.GOOD_ANSWERS
        ),
    )
    await submit(second_applicant.principal, second.id)
    second_review = await assign(staff, AssignmentCreate(application_id=second.id, expert_id=expert.id))
    await submit_review(expert.principal, second_review.id, ReviewSubmit(scores={"innovation": 70, "feasibility": 70}))
    await factories.end_round_window(contest["id"])
    await close_round(staff, contest["id"])
    source = await create_fund_source(staff, FundSourceCreate(name="福彩公益金", kind=FundSourceKind.welfare_lottery))
    line = await create_budget_line(
        staff, contest["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=10_000_000)
    )
    award = await factories.payable_award(
        staff, AwardCreate(application_id=draft.id, budget_line_id=line.id, amount_fen=3_000_000)
    )
    batch = await create_batch(staff, BatchCreate(title="第一批", tranche_ids=[award["tranches"][0]["id"]]))
    signed = await factories.signed_award(
        staff,
        AwardCreate(
            application_id=second.id,
            budget_line_id=line.id,
            amount_fen=1_000_000,
            final_report_due_on=date.today() + timedelta(days=180),
        ),
    )
    return {
        **batch.model_dump(),
        "application_id": draft.id,
        "round_id": contest["id"],
        "signed_agreement_id": signed["agreement_id"],
        "signed_tranche_id": signed["tranches"][0]["id"],
    }
