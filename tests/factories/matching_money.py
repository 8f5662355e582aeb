"""聚力计划 money builders (政府购买服务): a 聚力计划 edition's budget line and an accepted order whose demand carries
a budget, with the organisation's verified bank account. Rows in the state a test needs; behaviour through the API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.reference import District
from app.timezone import today_shanghai
from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source
from tests import factories
from tests.factories import User
from tests.factories import matching as builders
from tests.factories.http import ok
from tests.factories.matching_orders import Pair, matched_pair, order

BUDGET_MIN = 500_000  # 5,000 元
BUDGET_MAX = 2_000_000  # 20,000 元


@dataclass
class Purchase:
    pair: Pair
    line_id: int
    officer: User  # the officer who made the edition and its line


async def matching_budget_line(officer: User, amount_fen: int, district: District | None = None) -> int:
    """A 聚力计划 programme → edition (city level unless ``district``) → one fiscal budget line of ``amount_fen``."""
    round_ = await factories.contest_round(officer, kind="matching", district=district)
    source = await create_fund_source(officer.principal, FundSourceCreate(name="市级财政资金", kind="fiscal"))
    line = await create_budget_line(
        officer.principal, round_["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=amount_fen)
    )
    return int(line.id)


async def purchasable_order(
    officer: User, org_id: int, line_fen: int = 10_000_000, *, status: str = "accepted", **demand: object
) -> Purchase:
    """An order of ``org_id`` (verified account) on a Changning demand with a 5,000–20,000 元 budget, and a city
    聚力计划 budget line of ``line_fen``."""
    await factories.verified_bank_account(org_id)
    values: dict[str, object] = {"budget_min_fen": BUDGET_MIN, "budget_max_fen": BUDGET_MAX, **demand}
    pair = await matched_pair(org_id, status=status, **values)
    return Purchase(pair, await matching_budget_line(officer, line_fen), officer)


async def more_orders(purchase: Purchase, count: int) -> list[int]:
    """``count`` more accepted orders of the same offer and organisation, each on its own demand with the budget."""
    ids = []
    for _ in range(count):
        demand_id = await builders.demand(
            purchase.pair.community_id, budget_min_fen=BUDGET_MIN, budget_max_fen=BUDGET_MAX
        )
        ids.append(await order(demand_id, purchase.pair.offer_id, purchase.pair.org_id, "accepted"))
    return ids


async def deliver(client: httpx.AsyncClient, pair: Pair, organisation: User) -> None:
    """Through the API: the organisation starts and records the service, the community confirms it."""
    base = f"/matching/orders/{pair.order_id}"
    ok(await client.post(f"{base}/start-delivery", headers=organisation.headers))
    record = {"delivered_on": today_shanghai().isoformat(), "activity": "智能手机课堂", "beneficiaries_served": 30}
    ok(await client.post(f"{base}/delivery-records", json=record, headers=organisation.headers), 201)
    ok(await client.post(f"{base}/confirm-delivery", headers=pair.community.headers))
