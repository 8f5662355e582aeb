"""The stage order's rules (one 决赛 per edition, graduation rounds only in 沪社星耀, order locked once a round has
entries), scope and roles on the stage routes, and the refusals of the advance and of stage answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.auth.tables import Role
from app.reference import District
from app.timezone import now_utc
from programmes.tables import Application
from tests import factories
from tests.factories import CRITERIA, FORM
from tests.factories.http import ok, refused
from tests.factories.notice import end_notice
from tests.factories.stages import quota, review_and_close, staged_edition


def _round_body(name: str, **extra: Any) -> dict[str, Any]:
    now = now_utc()
    return {
        "name": name,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "form_title": "申报书",
        "form_schema": FORM,
        "criteria": CRITERIA,
        **extra,
    }


async def _edition(client: httpx.AsyncClient, officer: factories.User, kind: str = "contest") -> int:
    programme = ok(await client.post("/programmes", json={"name": "大赛", "kind": kind}, headers=officer.headers), 201)
    edition = ok(
        await client.post(
            f"/programmes/{programme['id']}/editions", json={"year": 2026, "title": "2026"}, headers=officer.headers
        ),
        201,
    )
    return int(edition["id"])


async def test_one_final_per_edition_and_graduation_only_in_support_plan(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    edition = await _edition(client, officer)
    url = f"/editions/{edition}/rounds"
    final = ok(
        await client.post(url, json=_round_body("决赛", stage="final", position=3), headers=officer.headers), 201
    )
    assert (final["stage"], final["position"]) == ("final", 3)
    refused(
        await client.post(url, json=_round_body("决赛二", stage="final", position=4), headers=officer.headers),
        409,
        "final_stage_exists",
        "stage",
    )
    refused(
        await client.post(url, json=_round_body("结项", stage="graduation"), headers=officer.headers),
        422,
        "graduation_needs_support_plan",
        "stage",
    )
    refused(
        await client.post(url, json=_round_body("乱序", stage="semifinal", position=-1), headers=officer.headers),
        422,
        "validation_failed",
        "position",
    )
    refused(
        await client.post(url, json=_round_body("未知", stage="quarterfinal"), headers=officer.headers),
        422,
        "validation_failed",
        "stage",
    )
    semi = ok(
        await client.post(url, json=_round_body("复赛", stage="semifinal", position=2), headers=officer.headers), 201
    )
    refused(
        await client.patch(f"/rounds/{semi['id']}", json={"stage": "final"}, headers=officer.headers),
        409,
        "final_stage_exists",
        "stage",
    )
    moved = ok(await client.patch(f"/rounds/{semi['id']}", json={"position": 5}, headers=officer.headers))
    assert moved["position"] == 5
    support = await _edition(client, officer, "support_plan")
    made = ok(
        await client.post(
            f"/editions/{support}/rounds", json=_round_body("结项评估", stage="graduation"), headers=officer.headers
        ),
        201,
    )
    assert made["stage"] == "graduation"


async def test_the_order_is_locked_once_a_round_has_entries_and_scope_applies(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong])
    prelim = stages.rounds[0]["id"]
    officer = stages.officer.headers
    for change in ({"position": 7}, {"stage": "custom"}):
        refused(
            await client.patch(f"/rounds/{prelim}", json=change, headers=officer),
            409,
            "stage_order_locked",
            next(iter(change)),
        )
    outsider = await factories.user(Role.officer, District.pudong)  # a district officer; the edition is city-level
    applicant = stages.members[stages.entries[0]["organisation_id"]]
    assert (await client.get(f"/editions/{stages.edition_id}/stages", headers=outsider.headers)).status_code == 404
    assert (await client.get(f"/editions/{stages.edition_id}/stages", headers=applicant.headers)).status_code == 403
    for path in ("/stage-advance/preview", "/stage-advance"):
        response = await client.post(f"/rounds/{prelim}{path}", json=quota(), headers=outsider.headers)
        assert response.status_code == 404, response.text
    refused(
        await client.post(f"/rounds/{prelim}/stage-advance/preview", json=quota(), headers=officer),
        409,
        "round_not_closed",
    )
    # A first-stage entry is no carried entry: its answers change through the draft, not as a stage version.
    refused(
        await client.post(
            f"/applications/{stages.entries[0]['id']}/stage-answers",
            json={"answers": {"summary": "换一个更长的项目简介"}},
            headers=applicant.headers,
        ),
        409,
        "not_a_carried_entry",
    )


async def test_tracks_must_map_by_name_and_answers_lock_once_review_starts(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong, District.xuhui])
    first, second = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    officer = stages.officer.headers
    await review_and_close(client, stages, prelim, {first: 90, second: 70})
    track = stages.rounds[1]["tracks"][0]["id"]
    ok(await client.patch(f"/rounds/{semi}", json={"tracks": [{"id": track, "name": "助老"}]}, headers=officer))
    response = await client.post(f"/rounds/{prelim}/stage-advance", json=quota(top_n=1), headers=officer)
    refused(response, 422, "track_not_in_next_stage")
    assert await Application.count().where(Application.round == semi) == 0  # nothing moved
    assert {r["status"] for r in await Application.select().where(Application.round == prelim)} == {"ranked"}
    ok(await client.patch(f"/rounds/{semi}", json={"tracks": [{"id": track, "name": "为老服务"}]}, headers=officer))
    done = ok(await client.post(f"/rounds/{prelim}/stage-advance", json=quota(top_n=1), headers=officer))
    entry_id = done["carried_now"][str(first)]
    ok(await client.post(f"/rounds/{semi}/assignments", headers=officer), 201)  # review starts: in_review
    member = stages.members[stages.entries[0]["organisation_id"]]
    stranger = stages.members[stages.entries[1]["organisation_id"]]
    body = {"answers": {"roadshow_plan": "需求、成效、计划"}}
    url = f"/applications/{entry_id}/stage-answers"
    assert (await client.post(url, json=body, headers=stranger.headers)).status_code == 404
    refused(await client.post(url, json=body, headers=member.headers), 409, "stage_answers_locked")


async def test_a_finalised_notice_carries_its_listed_entries(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong, District.xuhui])
    first, second = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    officer = stages.officer.headers
    await review_and_close(client, stages, prelim, {first: 90, second: 70})
    notice = ok(await client.post(f"/rounds/{prelim}/publication", json={"days": 7, "top_n": 1}, headers=officer), 201)
    await end_notice(notice["id"])
    ok(await client.post(f"/publications/{notice['id']}/finalise", headers=officer))
    carried = await Application.select().where(Application.round == semi)
    assert [(r["carried_from"], r["status"]) for r in carried] == [(first, "submitted")]


async def test_a_district_programme_is_advanced_by_its_district_officer_only(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [District.pudong, District.pudong], district=District.pudong)
    first, second = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    await review_and_close(client, stages, prelim, {first: 90, second: 70})
    changning = await factories.user(Role.officer, District.changning)
    for path in ("/stage-advance/preview", "/stage-advance"):
        response = await client.post(f"/rounds/{prelim}{path}", json=quota(top_n=1), headers=changning.headers)
        assert response.status_code == 404, response.text
    assert (await client.get(f"/editions/{stages.edition_id}/stages", headers=changning.headers)).status_code == 404
    done = ok(await client.post(f"/rounds/{prelim}/stage-advance", json=quota(top_n=1), headers=stages.officer.headers))
    assert done["advanced_now"] == [first] and done["not_advanced_now"] == [second]
    carried = await Application.select().where(Application.round == semi)
    assert [(r["carried_from"], r["scope_district"]) for r in carried] == [(first, "pudong")]
