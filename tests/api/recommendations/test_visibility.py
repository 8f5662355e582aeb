"""区级推荐: what a district officer may read of a city-level programme (its district's entries of the round at the
recommendation stage, read only) and what stays the uniform 404 — for every role and scope."""

from __future__ import annotations

import httpx

from programmes.tables import Application
from tests.factories.http import ok, problem
from tests.factories.recommendation import RecommendationWorld, set_quota


async def test_district_officer_reads_its_districts_entries_answers_files_and_timeline(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    entry = stages.changning_entries[0]
    read = ok(await client.get(f"/applications/{entry}", headers=stages.changning.headers))
    assert read["id"] == entry and read["answers"]["summary"]
    files = ok(await client.get(f"/applications/{entry}/attachments", headers=stages.changning.headers))
    assert [f["filename"] for f in files] == ["项目计划书.pdf"]
    download = await client.get(f"/attachments/{files[0]['id']}", headers=stages.changning.headers)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    timeline = ok(await client.get(f"/applications/{entry}/timeline", headers=stages.changning.headers))
    assert timeline


async def test_other_districts_entries_drafts_the_round_reviews_and_other_rounds_stay_hidden(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    officer = stages.changning.headers
    for path in (
        f"/applications/{stages.pudong_entry}",
        f"/applications/{stages.pudong_entry}/attachments",
        f"/applications/{stages.changning_draft}",
        f"/rounds/{stages.round_id}/cut-line-ties",
        f"/rounds/{stages.round_id}/reliability",
        f"/rounds/{stages.round_id}/applications",
        f"/rounds/{stages.round_id}/assignments",
        f"/rounds/{stages.round_id}/ranking",
        f"/rounds/{stages.next_round_id}/recommendation-entries",
        f"/rounds/{stages.next_round_id}/district-quotas",
    ):
        assert (await client.get(path, headers=officer)).status_code == 404, path
    # The pudong officer sees pudong's entry and not changning's.
    ok(await client.get(f"/applications/{stages.pudong_entry}", headers=stages.pudong.headers))
    problem(
        await client.get(f"/applications/{stages.changning_entries[0]}", headers=stages.pudong.headers),
        404,
        "not_found",
    )


async def test_a_city_round_at_another_stage_stays_hidden(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    from programmes.kinds import RoundStage
    from programmes.tables import Round

    await Round.update({Round.stage: RoundStage.preliminary}).where(Round.id == stages.round_id)
    entry = stages.changning_entries[0]
    assert (await client.get(f"/applications/{entry}", headers=stages.changning.headers)).status_code == 404
    assert (await client.get(f"/applications/{entry}/attachments", headers=stages.changning.headers)).status_code == 404
    listed = await client.get(f"/rounds/{stages.round_id}/recommendation-entries", headers=stages.changning.headers)
    assert listed.status_code == 404
    assert ok(await client.get("/recommendation-rounds", headers=stages.changning.headers)) == []


async def test_reading_is_all_a_district_officer_may_do_with_the_entries(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    entry = stages.changning_entries[0]
    results = ok(
        await client.post(
            "/applications/actions",
            json={"action": "reject", "application_ids": [entry], "reason": "区级无权驳回市级申报"},
            headers=stages.changning.headers,
        )
    )
    assert results[0]["ok"] is False
    row = await Application.select(Application.status).where(Application.id == entry).first()
    assert row == {"status": "submitted"}
    problem(await set_quota(client, stages.changning, stages.round_id, "changning", 9), 404, "not_found")
    forward = await client.post(f"/rounds/{stages.round_id}/recommendations/forward", headers=stages.changning.headers)
    problem(forward, 404, "not_found")


async def test_experts_and_applicants_are_refused(client: httpx.AsyncClient, stages: RecommendationWorld) -> None:
    for who in (stages.expert, stages.changning_member):
        assert (await client.get("/recommendation-rounds", headers=who.headers)).status_code == 403
        path = f"/rounds/{stages.round_id}/recommendation-entries"
        assert (await client.get(path, headers=who.headers)).status_code == 403
    assert (await client.get(f"/applications/{stages.pudong_entry}", headers=stages.expert.headers)).status_code == 404
    # The organisation still reads its own entry.
    ok(await client.get(f"/applications/{stages.changning_entries[0]}", headers=stages.changning_member.headers))


async def test_entry_lists_district_sees_its_own_city_sees_recommended_by_default(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    path = f"/rounds/{stages.round_id}/recommendation-entries"
    mine = ok(await client.get(path, headers=stages.changning.headers))
    assert [e["application_id"] for e in mine] == stages.changning_entries
    assert all(e["organisation_district"] == "changning" and e["recommendation"] is None for e in mine)
    # show=all changes nothing for a district officer.
    assert ok(await client.get(path, params={"show": "all"}, headers=stages.changning.headers)) == mine
    assert ok(await client.get(path, headers=stages.city.headers)) == []
    everything = ok(await client.get(path, params={"show": "all"}, headers=stages.city.headers))
    assert {e["application_id"] for e in everything} == {*stages.changning_entries, stages.pudong_entry}
    assert (await client.get(path, params={"show": "bogus"}, headers=stages.city.headers)).status_code == 422
    paged = await client.get(path, params={"limit": 1}, headers=stages.changning.headers)
    assert paged.headers["x-total-count"] == "2" and paged.headers["x-has-more"] == "true"


async def test_round_list_shows_the_callers_quota(client: httpx.AsyncClient, stages: RecommendationWorld) -> None:
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 3))
    [mine] = ok(await client.get("/recommendation-rounds", headers=stages.changning.headers))
    assert mine == {
        "round_id": stages.round_id,
        "name": "区级推荐",
        "status": "open",
        "closes_at": mine["closes_at"],
        "quota": 3,
        "recommended": 0,
        "forwarded": False,
    }
    [pudong] = ok(await client.get("/recommendation-rounds", headers=stages.pudong.headers))
    assert pudong["quota"] == 0
    [city] = ok(await client.get("/recommendation-rounds", headers=stages.city.headers))
    assert city["quota"] is None
