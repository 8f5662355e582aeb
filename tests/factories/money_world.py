"""Funded projects for the risk and money-export tests: a city-level award and a Pudong district award."""

from __future__ import annotations

from typing import Any

from programmes.awards.schemas import AwardCreate, BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source
from programmes.catalogue.service import close_round
from scoring.assignments.schemas import AssignmentCreate
from scoring.assignments.service import assign
from scoring.reviews.reviewing import submit as submit_review
from scoring.reviews.schemas import ReviewSubmit
from tests import factories
from tests.factories.money import ranked_world
from tests.factories.world import World


async def fund_source(world: World, name: str, kind: str) -> int:
    source = await create_fund_source(world.city_officer.principal, FundSourceCreate(name=name, kind=kind))
    return int(source.id)


async def city_award(
    world: World, amount_fen: int, *, line_fen: int = 1_000_000, source_id: int | None = None, **options: Any
) -> dict[str, Any]:
    """The world's submitted application (organisation in Pudong), ranked in the city round and awarded."""
    [application_id] = await ranked_world(world)
    source = source_id or await fund_source(world, "市级财政资金", "fiscal")
    line = await create_budget_line(
        world.city_officer.principal,
        world.round["edition_id"],
        BudgetLineCreate(fund_source_id=source, amount_fen=line_fen),
    )
    return await factories.payable_award(
        world.city_officer.principal,
        AwardCreate(application_id=application_id, budget_line_id=line.id, amount_fen=amount_fen, **options),
    )


async def pudong_award(
    world: World, amount_fen: int, *, line_fen: int = 500_000, source_id: int | None = None, **options: Any
) -> dict[str, Any]:
    """The world's Pudong application, reviewed, ranked in the Pudong round and awarded by the Pudong officer."""
    officer = world.pudong_officer.principal
    assignment = await assign(
        officer, AssignmentCreate(application_id=world.pudong_application_id, expert_id=world.expert.id)
    )
    await submit_review(
        world.expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 80})
    )
    await factories.end_round_window(world.pudong_round["id"])
    await close_round(officer, world.pudong_round["id"])
    source = source_id or await fund_source(world, "浦东福彩公益金", "welfare_lottery")
    line = await create_budget_line(
        officer, world.pudong_round["edition_id"], BudgetLineCreate(fund_source_id=source, amount_fen=line_fen)
    )
    return await factories.payable_award(
        officer,
        AwardCreate(
            application_id=world.pudong_application_id, budget_line_id=line.id, amount_fen=amount_fen, **options
        ),
    )
