"""Per-demand recommendations: who may ask, which offers are candidates, and the ranking with every term shown."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from app.organisations.tables import Organisation
from app.reference import District
from programmes.matching import recommend
from programmes.matching.score import TERMS
from programmes.matching.tables import Demand
from tests import factories
from tests.factories import matching
from tests.factories.http import ok, problem, refused
from tests.factories.matching_offers import order
from tests.factories.world import World

STREET = "华阳路街道"


def top_list(response: httpx.Response) -> list[dict[str, Any]]:
    recommendations: list[dict[str, Any]] = ok(response)["recommendations"]
    return recommendations


async def placed(district: District, street: str = "", grade: str | None = None) -> int:
    org_id, _ = await factories.organisation(district)
    await Organisation.update({Organisation.street: street, Organisation.evaluation_grade: grade}).where(
        Organisation.id == org_id
    )
    return org_id


async def test_who_may_ask(client: httpx.AsyncClient, world: World) -> None:
    community_id, account = await matching.community(District.changning, STREET)
    _, other_account = await matching.community(District.changning)
    demand_id = await matching.demand(community_id)
    path = f"/matching/demands/{demand_id}/recommendations"
    for headers in (account.headers, world.changning_officer.headers, world.city_officer.headers, world.admin.headers):
        assert ok(await client.get(path, headers=headers)) == {"demand_id": demand_id, "top": 10, "recommendations": []}
    for headers in (other_account.headers, world.pudong_officer.headers, world.community.headers):
        problem(await client.get(path, headers=headers), 404, "not_found")
    for headers in (world.applicant.headers, world.expert.headers):
        assert (await client.get(path, headers=headers)).status_code == 403
    assert (await client.get(path)).status_code == 401
    problem(await client.get("/matching/demands/999999/recommendations", headers=account.headers), 404, "not_found")
    for limit in ("0", "51", "x"):
        refused(await client.get(path, params={"top": limit}, headers=account.headers), 422, "validation_failed", "top")


async def test_candidates_and_ranking(client: httpx.AsyncClient, world: World) -> None:
    community_id, account = await matching.community(District.changning, STREET)
    demand_id = await matching.demand(community_id, tags=["elderly", "digital"])
    same_street = await placed(District.changning, STREET)
    same_district_5a = await placed(District.changning, "江苏路街道", grade="5A")
    same_district = await placed(District.changning, "江苏路街道")
    elsewhere = await placed(District.xuhui, "天平路街道")

    best = await matching.offer(same_street, tags=["elderly", "digital"])
    graded = await matching.offer(same_district_5a)
    plain = await matching.offer(same_district)
    tag_only = await matching.offer(same_district, field="culture_sports", tags=["digital"])
    # Not candidates: another field and no shared tag; another district served; from another district (the demand
    # does not accept them); suspended; full (its one unit held by a live order).
    await matching.offer(same_district, field="culture_sports", tags=["sports"])
    await matching.offer(same_district, districts_served=["xuhui"])
    cross = await matching.offer(elsewhere, districts_served=["changning", "xuhui"])
    await matching.offer(same_street, status="suspended")
    full = await matching.offer(same_street, capacity=1)
    other_demand = await matching.demand(community_id)
    await order(other_demand, full, same_street, status="accepted")
    city_wide = await matching.offer(same_district, city_wide=True, districts_served=[])
    serving = await matching.offer(same_district, capacity=5)  # already has a live order for this very demand
    await order(demand_id, serving, same_district, status="matched")

    path = f"/matching/demands/{demand_id}/recommendations"
    ranked = top_list(await client.get(path, headers=account.headers))
    ids = [r["offer_id"] for r in ranked]
    assert ids[0] == best and set(ids) == {best, graded, plain, tag_only, city_wide}
    assert ids.index(graded) < ids.index(plain) < ids.index(tag_only)
    top = ranked[0]
    assert [t["name"] for t in top["terms"]] == list(TERMS)
    assert sum(t["points"] for t in top["terms"]) == top["score"]
    terms = {t["name"]: t for t in top["terms"]}
    assert terms["tag_overlap"]["points"] == 20 and terms["distance"]["detail_zh"] == "同一街镇"
    assert top["explanation_zh"][0] == "标签重合：+20（共同标签 2 个）"
    assert len(top["explanation_zh"]) == len(TERMS)
    assert {t["name"]: t["points"] for t in ranked[ids.index(graded)]["terms"]}["grade"] == 15

    # The demand accepts other districts: the cross-district offer becomes a candidate, scored lower on distance.
    await Demand.update({Demand.cross_district: True}).where(Demand.id == demand_id)
    ranked = top_list(await client.get(path, params={"top": 50}, headers=world.changning_officer.headers))
    cross_row = next(r for r in ranked if r["offer_id"] == cross)
    assert {t["name"]: t["points"] for t in cross_row["terms"]}["distance"] == 4
    assert len(top_list(await client.get(path, params={"top": 2}, headers=account.headers))) == 2


async def test_track_record_and_price_fit_move_the_ranking(client: httpx.AsyncClient, world: World) -> None:
    community_id, account = await matching.community(District.changning, STREET)
    budgeted = await matching.demand(community_id, budget_min_fen=100_000, budget_max_fen=300_000)
    proven_org = await placed(District.changning, "江苏路街道")
    new_org = await placed(District.changning, "江苏路街道")
    proven = await matching.offer(proven_org, price_min_fen=200_000, price_max_fen=250_000)
    too_dear = await matching.offer(new_org, price_min_fen=500_000, price_max_fen=900_000)
    past = await matching.demand(community_id)
    await order(past, proven, proven_org, status="evaluated", delivered_days_after_end=-1, overall=5)
    ranked = top_list(await client.get(f"/matching/demands/{budgeted}/recommendations", headers=account.headers))
    assert [r["offer_id"] for r in ranked] == [proven, too_dear]
    points = [{t["name"]: t["points"] for t in r["terms"]} for r in ranked]
    assert points[0]["price_fit"] == 15 and points[1]["price_fit"] == -15
    assert points[0]["track_record"] == 1 + 10 + 5 and points[1]["track_record"] == 0


async def test_a_small_candidate_cap_gives_the_same_exact_list(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    community_id, account = await matching.community(District.changning, STREET)
    demand_id = await matching.demand(
        community_id, tags=["elderly", "digital"], budget_max_fen=100_000, budget_min_fen=0
    )
    orgs = [
        await placed(District.changning, STREET if n % 3 == 0 else "江苏路街道", "5A" if n % 4 == 0 else None)
        for n in range(6)
    ]
    for n, org_id in enumerate(orgs):
        await matching.offer(
            org_id,
            tags=["elderly", "digital"][: 1 + n % 2],
            capacity=1 + n % 5,
            price_min_fen=(n % 3) * 60_000 or None,
            price_max_fen=(n % 3) * 60_000 or None,
        )
    path = f"/matching/demands/{demand_id}/recommendations"
    full = top_list(await client.get(path, params={"top": 3}, headers=account.headers))
    assert len(full) == 3
    monkeypatch.setattr(recommend, "CANDIDATE_CAP", 1)
    assert top_list(await client.get(path, params={"top": 3}, headers=account.headers)) == full


async def test_an_expired_grade_scores_nothing(client: httpx.AsyncClient, world: World) -> None:
    community_id, account = await matching.community(District.changning, STREET)
    demand_id = await matching.demand(community_id)
    expired = await placed(District.changning, "江苏路街道", grade="5A")
    await Organisation.update({Organisation.grade_valid_until: date(2020, 1, 1)}).where(Organisation.id == expired)
    offer_id = await matching.offer(expired)
    [row] = top_list(await client.get(f"/matching/demands/{demand_id}/recommendations", headers=account.headers))
    assert row["offer_id"] == offer_id
    assert {t["name"]: t["points"] for t in row["terms"]}["grade"] == 0
