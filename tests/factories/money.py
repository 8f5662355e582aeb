"""Money worlds built on the API tests' ``World``: ranked applications, budget lines, released and paid awards."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.auth.tables import Role
from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source, make_award
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.ledger.tables import LedgerEntry
from scoring.reviews.reviewing import submit as submit_review
from scoring.reviews.schemas import ReviewSubmit
from tests import factories
from tests.factories.worker import run_worker_burst
from tests.factories.world import World


async def reviewed_application(world: World, org_id: int, member: factories.User, title: str, score: int) -> int:
    """An application of ``org_id`` in the world's round, submitted and scored by the world's expert."""
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign

    draft = await create_draft(
        member.principal,
        ApplicationCreate(
            round_id=world.round["id"], organisation_id=org_id, title=title, answers=factories.GOOD_ANSWERS
        ),
    )
    await submit(member.principal, draft.id)
    assignment = await assign(
        world.city_officer.principal, AssignmentCreate(application_id=draft.id, expert_id=world.expert.id)
    )
    await submit_review(
        world.expert.principal, assignment.id, ReviewSubmit(scores={"innovation": score, "feasibility": score})
    )
    return int(draft.id)


async def close_world_round(world: World) -> None:
    from programmes.catalogue.service import close_round

    await factories.end_round_window(world.round["id"])
    await close_round(world.city_officer.principal, world.round["id"])


async def ranked_world(world: World, extra_applications: int = 0) -> list[int]:
    """Score the submitted application (and optionally more), close the round: returns ranked application ids."""
    ids = [world.submitted_id]
    for _ in range(extra_applications):
        org_id, member = await factories.organisation()
        ids.append(await reviewed_application(world, org_id, member, "并发申报", 70))
    await submit_review(
        world.expert.principal, world.assignment_id, ReviewSubmit(scores={"innovation": 90, "feasibility": 80})
    )
    await close_world_round(world)
    return ids


async def budget_line(world: World, amount_fen: int) -> int:
    source = await create_fund_source(world.city_officer.principal, FundSourceCreate(name="财政资金", kind="fiscal"))
    line = await create_budget_line(
        world.city_officer.principal,
        world.round["edition_id"],
        BudgetLineCreate(fund_source_id=source.id, amount_fen=amount_fen),
    )
    return int(line.id)


async def released_tranches(world: World, count: int) -> list[int]:
    ids = await ranked_world(world, extra_applications=count - 1)
    line_id = await budget_line(world, 10_000_000)
    tranches = []
    for n, application_id in enumerate(ids):
        award = await factories.payable_award(
            world.city_officer.principal,
            AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=100_000 + n),
        )
        tranches.append(award["tranches"][0]["id"])
    return tranches


PAID = 400_000
BUDGET = 1_000_000


@dataclass
class Paid:
    award_id: int
    line_id: int
    unpaid_award_id: int


async def paid_award(world: World) -> Paid:
    """One award of 4,000 元 paid through a batch and a real worker, and one award released but not paid."""
    submitted, other = await ranked_world(world, extra_applications=1)
    officer = world.city_officer.principal
    line_id = await budget_line(world, BUDGET)
    award = await factories.payable_award(
        officer, AwardCreate(application_id=submitted, budget_line_id=line_id, amount_fen=PAID)
    )
    unpaid = await factories.payable_award(
        officer, AwardCreate(application_id=other, budget_line_id=line_id, amount_fen=10_000)
    )
    batch = await create_batch(officer, BatchCreate(title="拨付", tranche_ids=[award["tranches"][0]["id"]]))
    await approve_batch(await factories.second_officer(officer), batch.id)
    await run_worker_burst()
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1
    return Paid(award["id"], line_id, unpaid["id"])


async def funded_edition(client: httpx.AsyncClient, world: World) -> str:
    ids = await ranked_world(world, extra_applications=2)
    line_id = await budget_line(world, 10_000_000)
    for application_id in ids:
        await make_award(
            world.city_officer.principal,
            AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=1000),
        )
    await factories.user(Role.expert)
    from app.organisations.tables import Organisation

    for org in await Organisation.select(Organisation.id):  # world.other_expert is kept away from every project
        await client.post(
            "/conflicts",
            json={"expert_id": world.other_expert.id, "organisation_id": org["id"], "reason": "测试回避"},
            headers=world.city_officer.headers,
        )
    return f"/editions/{world.round['edition_id']}/inspection-draws"
