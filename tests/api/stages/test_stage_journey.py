"""One entry goes 初赛 → 复赛 → 决赛 carrying its answers and files; quotas per district, ties at the cut line decided
before commit, not-advanced outcome and notifications, stage answers as new versions, the stage list."""

from __future__ import annotations

import httpx

from app.notifications.tables import Notification
from app.reference import District
from programmes.attachments.tables import Attachment
from programmes.tables import Application
from scoring.tables import ReviewAssignment
from tests.factories import GOOD_ANSWERS, User
from tests.factories.http import ok, refused
from tests.factories.review import NO_TIME
from tests.factories.stages import Stages, quota, review_and_close, staged_edition

PUDONG, XUHUI, CHANGNING = District.pudong, District.xuhui, District.changning


async def _kinds(member: User) -> set[str]:
    """The kinds of notification the member has received."""
    return {r["kind"] for r in await Notification.select(Notification.kind).where(Notification.user == member.id)}


async def _advance(client: httpx.AsyncClient, stages: Stages, round_id: int, body: dict[str, object]) -> dict:
    return ok(await client.post(f"/rounds/{round_id}/stage-advance", json=body, headers=stages.officer.headers))


async def test_an_entry_goes_from_preliminary_to_final_carrying_its_answers_and_files(
    client: httpx.AsyncClient,
) -> None:
    stages = await staged_edition(client, [PUDONG, PUDONG, XUHUI])
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi, final = (r["id"] for r in stages.rounds)
    officer = stages.officer.headers
    await review_and_close(client, stages, prelim, {first: 90, second: 80, third: 70})

    # Preview: one place for 浦东, so the second 浦东 entry is stopped by its district's quota.
    body = quota(district_quotas={"pudong": 1})
    preview = ok(await client.post(f"/rounds/{prelim}/stage-advance/preview", json=body, headers=officer))
    assert preview["next_round_id"] == semi and preview["undecided_ties"] == 0 and not preview["committed"]
    assert [(e["application_id"], e["advancing"], e["reason"]) for e in preview["entries"]] == [
        (first, True, None),
        (second, False, "district_full"),
        (third, True, None),
    ]
    done = await _advance(client, stages, prelim, body)
    assert sorted(done["advanced_now"]) == sorted([first, third]) and done["not_advanced_now"] == [second]
    assert done["committed"]
    carried = {int(k): v for k, v in done["carried_now"].items()}
    assert set(carried) == {first, third}

    statuses = {r["id"]: r["status"] for r in await Application.select(Application.id, Application.status)}
    assert statuses[first] == "advanced" and statuses[third] == "advanced" and statuses[second] == "not_advanced"
    entry = await Application.select().where(Application.id == carried[first]).first().output(load_json=True)
    assert entry is not None
    assert entry["status"] == "submitted" and entry["round"] == semi and entry["carried_from"] == first
    assert entry["submitted_answers"] == GOOD_ANSWERS and entry["form_version"] == stages.rounds[1]["form_id"]
    assert entry["track"] == stages.rounds[1]["tracks"][0]["id"]  # 为老服务 → 复赛's 为老服务
    assert await Attachment.count().where(Attachment.application == carried[first]) == 1
    members = [stages.members[e["organisation_id"]] for e in stages.entries]
    assert "stage_advanced" in await _kinds(members[0]) and "stage_not_advanced" not in await _kinds(members[0])
    assert "stage_not_advanced" in await _kinds(members[1]) and "stage_advanced" not in await _kinds(members[1])

    # A repeat commits nothing more.
    again = await _advance(client, stages, prelim, body)
    assert again["advanced_now"] == [] and again["not_advanced_now"] == [] and again["carried_now"] == {}
    assert await Application.count().where(Application.round == semi) == 2

    # The applicant adds 复赛's new field and rewrites the editable summary; the carried count stays frozen.
    member = stages.members[stages.entries[0]["organisation_id"]]
    url = f"/applications/{carried[first]}/stage-answers"
    refused(
        await client.post(url, json={"answers": {"beneficiaries": 999}}, headers=member.headers),
        422,
        "stage_field_not_editable",
        "beneficiaries",
    )
    update = {
        "answers": {"roadshow_plan": "需求、成效、计划三部分", "summary": "为社区独居老人提供助餐、陪伴与健康服务"}
    }
    ok(await client.post(url, json=update, headers=member.headers))
    versions = ok(await client.get(f"/applications/{carried[first]}/submission-versions", headers=officer))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["answers"] == GOOD_ANSWERS and versions[1]["answers"]["roadshow_plan"]
    seen = ok(await client.get(f"/applications/{carried[first]}", headers=officer))
    assert seen["answers"]["roadshow_plan"] == "需求、成效、计划三部分"  # officers read the latest version

    # 复赛 → 决赛: top 1 overall; the final entry carries the 复赛 version and the file.
    await review_and_close(client, stages, semi, {carried[first]: 88, carried[third]: 60})
    assignment = await ReviewAssignment.select().where(ReviewAssignment.application == carried[first]).first()
    assert assignment is not None
    expert = next(e for e in stages.experts if e.id == assignment["expert"])
    view = ok(await client.get(f"/reviews/{assignment['id']}", headers=expert.headers))
    assert view["answers"]["roadshow_plan"] == "需求、成效、计划三部分"  # experts read the latest version too
    done = await _advance(client, stages, semi, quota(top_n=1))
    final_entry_id = {int(k): v for k, v in done["carried_now"].items()}[carried[first]]
    final_entry = await Application.select().where(Application.id == final_entry_id).first().output(load_json=True)
    assert final_entry is not None and final_entry["round"] == final and final_entry["status"] == "submitted"
    assert final_entry["submitted_answers"]["roadshow_plan"] == "需求、成效、计划三部分"
    assert await Attachment.count().where(Attachment.application == final_entry_id) == 1
    assert done["not_advanced_now"] == [carried[third]]

    stage_list = ok(await client.get(f"/editions/{stages.edition_id}/stages", headers=officer))
    assert [(s["stage"], s["entries"], s["carried_in"], s["advanced"], s["not_advanced"]) for s in stage_list] == [
        ("preliminary", 3, 0, 2, 1),
        ("semifinal", 2, 2, 1, 1),
        ("final", 1, 1, 0, 0),
    ]
    assert [s["admits_direct_applications"] for s in stage_list] == [True, False, False]

    # The last stage has nowhere to advance to.
    await review_and_close(client, stages, final, {final_entry_id: 90})
    refused(await client.post(f"/rounds/{final}/stage-advance", json=quota(), headers=officer), 409, "no_next_stage")


async def test_ties_at_a_district_line_are_decided_with_a_reason_before_commit(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [PUDONG, PUDONG, XUHUI])
    first, second, third = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    officer = stages.officer.headers
    ok(await client.patch(f"/rounds/{prelim}", json={"tie_break": NO_TIME}, headers=officer))
    await review_and_close(client, stages, prelim, {first: 80, second: 80, third: 70})
    body = quota(district_quotas={"pudong": 1})
    preview = ok(await client.post(f"/rounds/{prelim}/stage-advance/preview", json=body, headers=officer))
    assert preview["undecided_ties"] == 1
    tie = preview["ties"][0]
    assert tie["line"] == "district:pudong" and tie["places"] == 1 and tie["tied_application_ids"] == [first, second]
    before = await Application.count().where(Application.round == semi)
    refused(
        await client.post(f"/rounds/{prelim}/stage-advance", json=body, headers=officer), 409, "cut_line_tie_undecided"
    )
    assert await Application.count().where(Application.round == semi) == before == 0

    decision = {**body, "line": "district:pudong", "rank": tie["rank"], "passed_application_ids": [second]}
    bad = {**decision, "passed_application_ids": [first, second], "reason": "两个都晋级"}
    refused(
        await client.post(f"/rounds/{prelim}/stage-advance/tie-decisions", json=bad, headers=officer),
        422,
        "cut_line_decision_invalid",
    )
    made = ok(
        await client.post(
            f"/rounds/{prelim}/stage-advance/tie-decisions",
            json={**decision, "reason": "实地走访表现更好"},
            headers=officer,
        ),
        201,
    )
    assert made["passed_application_ids"] == [second]
    done = await _advance(client, stages, prelim, body)
    assert sorted(done["advanced_now"]) == sorted([second, third]) and done["not_advanced_now"] == [first]
    entries = {e["application_id"]: e for e in done["entries"]}
    assert entries[first]["reason"] == "tie" and entries[second]["advancing"]


async def test_a_non_advanced_organisation_cannot_enter_a_later_stage_by_any_path(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [PUDONG, PUDONG])
    first, second = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    await review_and_close(client, stages, prelim, {first: 90, second: 70})
    await _advance(client, stages, prelim, quota(top_n=1))
    loser_org = stages.entries[1]["organisation_id"]
    loser = stages.members[loser_org]
    track = stages.rounds[1]["tracks"][0]["id"]
    direct = {"round_id": semi, "organisation_id": loser_org, "title": "直接申报复赛", "answers": GOOD_ANSWERS}
    refused(
        await client.post("/applications", json={**direct, "track_id": track}, headers=loser.headers),
        409,
        "round_admits_advanced_only",
    )
    # Nor into 决赛.
    refused(
        await client.post(
            "/applications",
            json={**direct, "round_id": stages.rounds[2]["id"], "track_id": stages.rounds[2]["tracks"][0]["id"]},
            headers=loser.headers,
        ),
        409,
        "round_admits_advanced_only",
    )
    # The officer's single advance of the not-advanced entry is refused: the stage's list is decided.
    result = ok(
        await client.post(
            "/applications/actions",
            json={"action": "advance", "application_ids": [second]},
            headers=stages.officer.headers,
        )
    )
    assert result[0]["ok"] is False and result[0]["code"] == "stage_already_advanced"
    assert not await Application.exists().where((Application.round == semi) & (Application.organisation == loser_org))


async def test_bulk_advance_goes_through_the_stage_carry(client: httpx.AsyncClient) -> None:
    stages = await staged_edition(client, [PUDONG, XUHUI])
    first, second = (e["id"] for e in stages.entries)
    prelim, semi = stages.rounds[0]["id"], stages.rounds[1]["id"]
    await review_and_close(client, stages, prelim, {first: 90, second: 70})
    result = ok(
        await client.post(
            "/applications/actions",
            json={"action": "advance", "application_ids": [first]},
            headers=stages.officer.headers,
        )
    )
    assert result[0]["ok"] and result[0]["status"] == "advanced"
    carried = await Application.select().where(Application.carried_from == first).output(load_json=True)
    assert len(carried) == 1 and carried[0]["round"] == semi and carried[0]["status"] == "submitted"
    assert await Attachment.count().where(Attachment.application == carried[0]["id"]) == 1
    # The stage advance afterwards keeps that entry and carries nothing twice.
    done = await _advance(client, stages, prelim, quota(top_n=1))
    assert done["advanced_now"] == [] and done["carried_now"] == {} and done["not_advanced_now"] == [second]
    assert await Application.count().where(Application.carried_from == first) == 1
