"""区级推荐 → 初赛: the city forwards the recommended entries (carried with their answers and files, submitted in
the next stage, told 晋级), the others get 未晋级 (and are told); the round's recommendations are then closed."""

from __future__ import annotations

import httpx

from app.notifications.tables import Notification
from programmes.attachments.tables import Attachment
from programmes.kinds import RoundStage
from programmes.recommendations.tables import RecommendationClosure
from programmes.tables import Application, Round
from tests.factories import GOOD_ANSWERS
from tests.factories.http import ok, problem
from tests.factories.recommendation import RecommendationWorld, end_window, recommend, set_quota


def _forward_path(stages: RecommendationWorld) -> str:
    return f"/rounds/{stages.round_id}/recommendations/forward"


async def _status(application_id: int) -> str:
    row = await Application.select(Application.status).where(Application.id == application_id).first()
    assert row is not None
    return str(row["status"])


async def test_forward_carries_the_recommended_entry_into_the_preliminary_round(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    recommended, other = stages.changning_entries
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 1))
    made = ok(await recommend(client, stages.changning, stages.round_id, recommended), 201)
    problem(await client.post(_forward_path(stages), headers=stages.city.headers), 409, "round_still_accepting")
    await end_window(stages.round_id)

    result = ok(await client.post(_forward_path(stages), headers=stages.city.headers))
    assert result["advanced"] == 1 and result["not_advanced"] == 2 and result["already_forwarded"] is False
    assert result["next_round_id"] == stages.next_round_id

    assert await _status(recommended) == "advanced"
    assert await _status(other) == "not_advanced" and await _status(stages.pudong_entry) == "not_advanced"
    assert await _status(stages.changning_draft) == "draft"  # never an entry: untouched
    carried = await Application.select().where(Application.carried_from == recommended).output(load_json=True)
    assert len(carried) == 1
    entry = carried[0]
    assert entry["round"] == stages.next_round_id and entry["status"] == "submitted"
    assert entry["answers"] == GOOD_ANSWERS and entry["organisation"] == stages.changning_org
    assert entry["organisation_district"] == "changning" and entry["submitted_at"] is not None
    assert await Attachment.count().where(Attachment.application == entry["id"]) == 1
    # The organisation reads its entry in 初赛; the city sees it there; the district does not any more.
    ok(await client.get(f"/applications/{entry['id']}", headers=stages.changning_member.headers))
    listed = ok(await client.get(f"/rounds/{stages.next_round_id}/applications", headers=stages.city.headers))
    assert [a["id"] for a in listed] == [entry["id"]]
    problem(await client.get(f"/applications/{entry['id']}", headers=stages.changning.headers), 404, "not_found")
    # Told: 晋级 to the recommended organisation, 未晋级 to the others.
    advanced = await Notification.select(Notification.title).where(
        (Notification.user == stages.changning_member.id) & (Notification.kind == "stage_advanced")
    )
    assert advanced == [{"title": "晋级：初赛"}]
    assert (
        await Notification.count().where(
            (Notification.user == stages.pudong_member.id) & (Notification.kind == "stage_not_advanced")
        )
        == 1
    )
    # The recommendation records the entry it became.
    mine = ok(await client.get(f"/rounds/{stages.round_id}/recommendation-entries", headers=stages.changning.headers))
    assert mine[0]["recommendation"]["status"] == "forwarded"
    assert mine[0]["recommendation"]["carried_entry_id"] == entry["id"]

    # Closed: no more recommending, withdrawing or quota changes; a second forward changes nothing.
    problem(await recommend(client, stages.changning, stages.round_id, other), 409, "recommendations_closed")
    withdraw = await client.post(
        f"/recommendations/{made['id']}/withdraw", json={"reason": "撤回试试"}, headers=stages.changning.headers
    )
    problem(withdraw, 409, "recommendations_closed")
    problem(await set_quota(client, stages.city, stages.round_id, "changning", 3), 409, "recommendations_closed")
    again = ok(await client.post(_forward_path(stages), headers=stages.admin.headers))
    assert again["already_forwarded"] is True and again["advanced"] == 1
    assert await Application.count().where(Application.carried_from.is_not_null()) == 1
    [listed_round] = ok(await client.get("/recommendation-rounds", headers=stages.changning.headers))
    assert listed_round["forwarded"] is True


async def test_a_withdrawn_recommendation_is_not_forwarded(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    ok(await set_quota(client, stages.city, stages.round_id, "changning", 1))
    made = ok(await recommend(client, stages.changning, stages.round_id, stages.changning_entries[0]), 201)
    ok(
        await client.post(
            f"/recommendations/{made['id']}/withdraw", json={"reason": "材料不全"}, headers=stages.changning.headers
        )
    )
    await end_window(stages.round_id)
    result = ok(await client.post(_forward_path(stages), headers=stages.city.headers))
    assert (result["advanced"], result["not_advanced"]) == (0, 3)
    assert await Application.count().where(Application.round == stages.next_round_id) == 0


async def test_forward_needs_a_next_stage_and_city_staff(
    client: httpx.AsyncClient, stages: RecommendationWorld
) -> None:
    await end_window(stages.round_id)
    for who in (stages.changning, stages.pudong):
        problem(await client.post(_forward_path(stages), headers=who.headers), 404, "not_found")
    for who in (stages.expert, stages.changning_member):
        assert (await client.post(_forward_path(stages), headers=who.headers)).status_code == 403
    await Round.update({Round.stage: RoundStage.graduation}).where(Round.id == stages.next_round_id)
    problem(await client.post(_forward_path(stages), headers=stages.city.headers), 409, "no_next_stage")
    assert await RecommendationClosure.count() == 0
    assert await _status(stages.pudong_entry) == "submitted"  # bad input changed nothing
