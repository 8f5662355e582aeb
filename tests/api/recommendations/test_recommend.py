"""区级推荐: quotas (city), recommending within the quota and withdrawing (district), every refusal with its code."""

from __future__ import annotations

import httpx

from programmes.recommendations.tables import DistrictQuota, Recommendation
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.recommendation import RecommendationWorld, recommend, set_quota


async def test_quota_is_set_by_city_staff_and_validated(client: httpx.AsyncClient, stages: RecommendationWorld) -> None:
    first = ok(await set_quota(client, stages.city, stages.round_id, "changning", 2))
    assert first == {
        "round_id": stages.round_id,
        "district": "changning",
        "district_zh": "长宁区",
        "quota": 2,
        "recommended": 0,
        "entries": 2,
    }
    ok(await set_quota(client, stages.admin, stages.round_id, "长宁区", 1))  # the Chinese name is accepted
    assert await DistrictQuota.count() == 1
    refused(await set_quota(client, stages.city, stages.round_id, "nowhere", 1), 422, "validation_failed", "district")
    refused(await set_quota(client, stages.city, stages.round_id, "changning", -1), 422, "validation_failed", "quota")
    for officer in (stages.changning, stages.pudong):
        problem(await set_quota(client, officer, stages.round_id, "changning", 5), 404, "not_found")
    problem(
        await set_quota(client, stages.city, stages.next_round_id, "changning", 1),
        409,
        "round_not_district_recommendation",
    )
    problem(await set_quota(client, stages.city, 999_999, "changning", 1), 404, "not_found")
    quotas = ok(await client.get(f"/rounds/{stages.round_id}/district-quotas", headers=stages.city.headers))
    assert [(q["district"], q["quota"], q["entries"]) for q in quotas] == [("changning", 1, 2), ("pudong", 0, 1)]
    own = ok(await client.get(f"/rounds/{stages.round_id}/district-quotas", headers=stages.pudong.headers))
    assert [(q["district"], q["quota"], q["entries"]) for q in own] == [("pudong", 0, 1)]
    # A round at another stage has nothing to count for city staff, and does not exist for a district officer.
    assert ok(await client.get(f"/rounds/{stages.next_round_id}/district-quotas", headers=stages.city.headers)) == []
    other = await client.get(f"/rounds/{stages.next_round_id}/district-quotas", headers=stages.pudong.headers)
    problem(other, 404, "not_found")


async def test_a_district_level_round_is_not_for_recommendation(client: httpx.AsyncClient) -> None:
    from app.auth.tables import Role
    from app.reference import District
    from programmes.kinds import RoundStage
    from programmes.tables import Round

    pudong = await factories.user(Role.officer, District.pudong)
    city = await factories.user(Role.officer)
    local = await factories.contest_round(pudong, district=District.pudong)
    await Round.update({Round.stage: RoundStage.district_recommendation}).where(Round.id == local["id"])
    problem(await set_quota(client, city, local["id"], "pudong", 1), 409, "round_not_city_level")
    problem(await recommend(client, pudong, local["id"], 1), 404, "not_found")


async def test_recommend_up_to_the_quota_with_a_reason(client: httpx.AsyncClient, stages: RecommendationWorld) -> None:
    first, second = stages.changning_entries
    problem(await recommend(client, stages.changning, stages.round_id, first), 409, "no_district_quota")
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 0))  # a quota of none is no quota
    problem(await recommend(client, stages.changning, stages.round_id, first), 409, "no_district_quota")
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 1))
    made = ok(await recommend(client, stages.changning, stages.round_id, first), 201)
    assert made["status"] == "recommended" and made["status_zh"] == "已推荐" and made["district"] == "changning"
    assert made["reason"] == "社区基础扎实，服务对象明确"
    problem(await recommend(client, stages.changning, stages.round_id, first), 409, "already_recommended")
    problem(await recommend(client, stages.changning, stages.round_id, second), 409, "district_quota_full")
    refused(
        await set_quota(client, stages.city, stages.round_id, "changning", 0), 422, "quota_below_recommended", "quota"
    )
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 2))
    ok(await recommend(client, stages.changning, stages.round_id, second), 201)
    assert await Recommendation.count() == 2
    counted = ok(await client.get(f"/rounds/{stages.round_id}/district-quotas", headers=stages.changning.headers))
    assert counted[0]["recommended"] == 2 and counted[0]["quota"] == 2
    # The city now sees the two recommended entries, with their reasons.
    listed = ok(await client.get(f"/rounds/{stages.round_id}/recommendation-entries", headers=stages.city.headers))
    assert [e["application_id"] for e in listed] == [first, second]
    assert all(e["recommendation"]["reason"] for e in listed)


async def test_recommending_what_is_not_the_districts_entry_is_refused(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 5))
    for other in (stages.pudong_entry, stages.changning_draft, 999_999):
        refused(
            await recommend(client, stages.changning, stages.round_id, other), 422, "entry_not_found", "application_id"
        )
    problem(
        await recommend(client, stages.city, stages.round_id, stages.changning_entries[0]),
        403,
        "district_officers_only",
    )
    problem(
        await recommend(client, stages.admin, stages.round_id, stages.changning_entries[0]),
        403,
        "district_officers_only",
    )
    assert (await recommend(client, stages.expert, stages.round_id, stages.changning_entries[0])).status_code == 403
    problem(
        await recommend(client, stages.changning, stages.next_round_id, stages.changning_entries[0]), 404, "not_found"
    )
    short = {"application_id": stages.changning_entries[0], "reason": "好"}
    path = f"/rounds/{stages.round_id}/recommendations"
    refused(await client.post(path, json=short, headers=stages.changning.headers), 422, "validation_failed", "reason")
    assert await Recommendation.count() == 0


async def test_an_entry_no_longer_in_the_running_cannot_be_recommended(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    from tests.factories.applications import act

    ok(await set_quota(client, stages.city, stages.round_id, "changning", 5))
    entry = stages.changning_entries[1]
    [result] = await act(client, stages.city, "reject", [entry], "不符合申报条件")
    assert result["ok"], result
    problem(await recommend(client, stages.changning, stages.round_id, entry), 409, "entry_not_recommendable")


async def test_withdraw_by_the_recommending_district_only(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 1))
    made = ok(await recommend(client, stages.changning, stages.round_id, stages.changning_entries[0]), 201)
    path = f"/recommendations/{made['id']}/withdraw"
    body = {"reason": "改为推荐其他项目"}
    problem(await client.post(path, json=body, headers=stages.pudong.headers), 404, "not_found")
    problem(await client.post(path, json=body, headers=stages.city.headers), 403, "district_officers_only")
    assert (await client.post(path, json=body, headers=stages.expert.headers)).status_code == 403
    refused(
        await client.post(path, json={"reason": ""}, headers=stages.changning.headers),
        422,
        "validation_failed",
        "reason",
    )
    withdrawn = ok(await client.post(path, json=body, headers=stages.changning.headers))
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_reason"] == "改为推荐其他项目"
    problem(await client.post(path, json=body, headers=stages.changning.headers), 409, "transition_invalid_state")
    # The place is free again; the entry shows its latest recommendation.
    ok(await recommend(client, stages.changning, stages.round_id, stages.changning_entries[1]), 201)
    mine = ok(await client.get(f"/rounds/{stages.round_id}/recommendation-entries", headers=stages.changning.headers))
    assert [e["recommendation"]["status"] for e in mine] == ["withdrawn", "recommended"]
    problem(
        await client.post("/recommendations/999999/withdraw", json=body, headers=stages.changning.headers),
        404,
        "not_found",
    )
