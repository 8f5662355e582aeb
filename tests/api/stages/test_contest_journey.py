"""Issue 15's journey, through the HTTP API only: one entry goes 区级推荐 (the district recommends, the city
forwards) → 初赛 → 复赛 (answers amended as a new version) → 决赛 (a roadshow: drawn, presented, scored live, ended,
ranked, 公示 published and finalised) → prize confirmed → award → agreement signed → tranche paid. At each step the
entry carries its answers and file, and an organisation that did not advance cannot enter the next stage. After the
final's 公示 the winner reads its feedback, and the open data show its result and its prize."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories import GOOD_ANSWERS
from tests.factories.http import ok, problem, refused
from tests.factories.journey import (
    Contest,
    assert_carried,
    carried_entries,
    contest,
    expert_scores,
    refused_entry,
    review,
)
from tests.factories.notice import end_notice
from tests.factories.prizes import FIRST, SECOND, tiers
from tests.factories.stages import quota
from tests.factories.worker import run_worker_burst

CHANGNING, PUDONG = District.changning, District.pudong
# A is the entry followed to the end; B is not recommended, E stops at 初赛, D at 复赛, C wins 二等奖 in the final.
APPLICANTS = {"A": CHANGNING, "B": CHANGNING, "C": PUDONG, "D": PUDONG, "E": PUDONG}
SEMIFINAL_UPDATE = {"roadshow_plan": "需求、成效、计划三部分", "summary": "为社区独居老人提供助餐、陪伴与健康服务"}


async def _district_recommendation(client: httpx.AsyncClient, world: Contest) -> dict[str, int]:
    """Each district officer sees its district's entries and recommends within its quota; the city forwards."""
    rec, prelim = world.rounds[0], world.rounds[1]
    city = world.city.headers
    for district, places in ((CHANGNING, 1), (PUDONG, 3)):
        body = {"district": district.value, "quota": places}
        ok(await client.put(f"/rounds/{rec}/district-quotas", json=body, headers=city))
    changning = world.district_officers[CHANGNING].headers
    seen = ok(await client.get(f"/rounds/{rec}/recommendation-entries", headers=changning))
    assert sorted(e["application_id"] for e in seen) == sorted([world.entries["A"], world.entries["B"]])
    for label in ("A", "C", "D", "E"):
        officer = world.district_officers[APPLICANTS[label]].headers
        body = {"application_id": world.entries[label], "reason": "社区基础扎实，服务对象明确"}
        ok(await client.post(f"/rounds/{rec}/recommendations", json=body, headers=officer), 201)
    body = {"application_id": world.entries["B"], "reason": "名额之外"}
    problem(
        await client.post(f"/rounds/{rec}/recommendations", json=body, headers=changning), 409, "district_quota_full"
    )
    # The city sees only the recommended entries.
    recommended = ok(await client.get(f"/rounds/{rec}/recommendation-entries?limit=100", headers=city))
    assert sorted(r["application_id"] for r in recommended) == sorted(world.entries[x] for x in "ACDE")

    await factories.end_round_window(rec)
    forwarded = ok(await client.post(f"/rounds/{rec}/recommendations/forward", headers=city))
    assert forwarded["advanced"] == 4 and forwarded["not_advanced"] == 1 and forwarded["next_round_id"] == prelim
    carried = await carried_entries(client, world, prelim)
    assert set(carried) == {"A", "C", "D", "E"}
    for label, entry in carried.items():
        await assert_carried(client, world, label, entry, prelim, GOOD_ANSWERS)
    await refused_entry(client, world, "B", prelim)
    return carried


async def _advance(client: httpx.AsyncClient, world: Contest, stage: int, top_n: int) -> dict[str, int]:
    """Stage-advance the top ``top_n`` of ``world.rounds[stage]`` (previewed first): the next stage's entries."""
    url = f"/rounds/{world.rounds[stage]}/stage-advance"
    preview = ok(await client.post(f"{url}/preview", json=quota(top_n=top_n), headers=world.city.headers))
    assert preview["next_round_id"] == world.rounds[stage + 1] and not preview["committed"]
    done = ok(await client.post(url, json=quota(top_n=top_n), headers=world.city.headers))
    assert done["committed"] and len(done["advanced_now"]) == top_n
    return await carried_entries(client, world, world.rounds[stage + 1])


async def _preliminary_and_semifinal(client: httpx.AsyncClient, world: Contest, entries: dict[str, int]) -> None:
    prelim, semi, final = world.rounds[1], world.rounds[2], world.rounds[3]
    ranking = await review(
        client, world, prelim, {entries["A"]: 90, entries["C"]: 85, entries["D"]: 80, entries["E"]: 70}
    )
    assert [r["application_id"] for r in ranking] == [entries[x] for x in "ACDE"]
    entries.update(await _advance(client, world, 1, top_n=3))
    assert set(await carried_entries(client, world, semi)) == {"A", "C", "D"}
    for label in "ACD":
        await assert_carried(client, world, label, entries[label], semi, GOOD_ANSWERS)
    await refused_entry(client, world, "E", semi)

    # 复赛: A adds the stage's new field and rewrites the editable summary, as a new submission version.
    member = world.members["A"].headers
    url = f"/applications/{entries['A']}/stage-answers"
    refused(
        await client.post(url, json={"answers": {"beneficiaries": 999}}, headers=member),
        422,
        "stage_field_not_editable",
        "beneficiaries",
    )
    ok(await client.post(url, json={"answers": SEMIFINAL_UPDATE}, headers=member))
    versions = ok(await client.get(f"/applications/{entries['A']}/submission-versions", headers=world.city.headers))
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["answers"] == GOOD_ANSWERS
    ranking = await review(client, world, semi, {entries["A"]: 88, entries["C"]: 80, entries["D"]: 60})
    assert [r["application_id"] for r in ranking] == [entries[x] for x in "ACD"]
    entries.update(await _advance(client, world, 2, top_n=2))
    assert set(await carried_entries(client, world, final)) == {"A", "C"}
    await assert_carried(client, world, "A", entries["A"], final, SEMIFINAL_UPDATE)  # the 复赛 version
    await assert_carried(client, world, "C", entries["C"], final, GOOD_ANSWERS)
    await refused_entry(client, world, "D", final)
    await refused_entry(client, world, "E", final)


async def _roadshow(client: httpx.AsyncClient, world: Contest, entries: dict[str, int]) -> int:
    """The final's roadshow: drawn, each presentation started, scored live and stopped; the session ended ranks
    the round; the 公示 is published. The publication's id."""
    final = world.rounds[3]
    city = world.city.headers
    ok(await client.post(f"/rounds/{final}/assignments", headers=city), 201)
    body = {"grace_seconds": 600, "vote_weight_percent": 0}
    session = ok(await client.post(f"/rounds/{final}/roadshow", json=body, headers=city), 201)
    session = ok(await client.post(f"/roadshow-sessions/{session['id']}/draw", headers=city))
    assert sorted(p["application_id"] for p in session["presentations"]) == sorted([entries["A"], entries["C"]])
    scores = {entries["A"]: 92, entries["C"]: 81}
    # Before its presentation starts, a judge's score is refused.
    [early] = [
        a for a in ok(await client.get("/reviews/mine", headers=world.experts[0].headers)) if a["round_id"] == final
    ][:1]
    body = {"scores": {"innovation": 90, "feasibility": 90}}
    problem(
        await client.post(f"/reviews/{early['assignment_id']}/submit", json=body, headers=world.experts[0].headers),
        409,
        "presentation_not_open",
    )
    for presentation in sorted(session["presentations"], key=lambda p: p["position"]):
        pid = presentation["id"]
        ok(await client.post(f"/roadshow-presentations/{pid}/start", headers=city))
        await expert_scores(client, world, final, scores, only={presentation["application_id"]})
        stopped = ok(await client.post(f"/roadshow-presentations/{pid}/stop", headers=city))
        assert stopped["state"] == "grace"
    await factories.end_round_window(final)
    ended = ok(await client.post(f"/roadshow-sessions/{session['id']}/end", headers=city))
    assert ended["round_closed"] is True
    ranking = ok(await client.get(f"/rounds/{final}/ranking", headers=city))
    assert [(r["application_id"], r["rank"]) for r in ranking] == [(entries["A"], 1), (entries["C"], 2)]
    published = ok(await client.post(f"/rounds/{final}/publication", json={"days": 7, "top_n": 2}, headers=city), 201)
    return int(published["id"])


async def test_one_entry_goes_from_district_recommendation_to_a_paid_prize(client: httpx.AsyncClient) -> None:
    world = await contest(client, APPLICANTS)
    entries = await _district_recommendation(client, world)
    await _preliminary_and_semifinal(client, world, entries)
    publication_id = await _roadshow(client, world, entries)
    city = world.city.headers
    member = world.members["A"].headers

    # Feedback waits for the 公示 to end; after it the winner reads it, anonymous.
    feedback = f"/applications/{entries['A']}/feedback"
    problem(await client.get(feedback, headers=member), 409, "feedback_not_available")
    await end_notice(publication_id)
    ok(await client.post(f"/publications/{publication_id}/finalise", headers=city))
    seen = ok(await client.get(feedback, headers=member))
    assert seen["round_id"] == world.rounds[3] and seen["result_final"] and seen["reviews"] == 2
    assert seen["comments"] == ["需求调研扎实，建议细化成效指标"] and seen["rank_band"] is not None
    assert all(e.principal.username not in str(seen) for e in world.experts)

    # Prizes from the final's ranking; the money goes award → agreement → tranche.
    source = ok(
        await client.post("/fund-sources", json={"name": "大赛奖金", "kind": "welfare_lottery"}, headers=city), 201
    )
    line = ok(
        await client.post(
            f"/editions/{world.edition_id}/budget-lines",
            json={"fund_source_id": source["id"], "amount_fen": 100_000_000},
            headers=city,
        ),
        201,
    )
    ok(await client.put(f"/editions/{world.edition_id}/prize-tiers", json=tiers(line["id"], honour=0), headers=city))
    confirmed = ok(await client.post(f"/editions/{world.edition_id}/prizes/confirm", json={}, headers=city))
    by_entry = {p["application_id"]: p for p in confirmed["prizes"]}
    assert set(by_entry) == {entries["A"], entries["C"]}
    assert by_entry[entries["A"]]["tier_name"] == "一等奖" and by_entry[entries["C"]]["tier_name"] == "二等奖"
    award = ok(await client.get(f"/awards/{by_entry[entries['A']]['award_id']}", headers=city))
    assert award["application_id"] == entries["A"] and award["amount_fen"] == FIRST
    await factories.verified_bank_account(world.orgs["A"])
    agreement = award["agreement_id"]
    ok(await client.post(f"/agreements/{agreement}/sign", json={"signer_name": "王敏"}, headers=member))
    signed = ok(await client.post(f"/agreements/{agreement}/countersign", headers=city))
    if signed["status"] == "countersigning":  # above the four-eyes amount: a second officer countersigns
        second = await factories.user(Role.officer)
        signed = ok(await client.post(f"/agreements/{agreement}/countersign", headers=second.headers))
    assert signed["status"] == "effective"
    tranche = award["tranches"][0]["id"]
    batch = ok(
        await client.post("/payment-batches", json={"title": "奖金拨付", "tranche_ids": [tranche]}, headers=city), 201
    )
    approver = await factories.user(Role.officer)
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=approver.headers))
    await run_worker_burst()
    paid = ok(await client.get(f"/awards/{award['id']}", headers=city))
    assert [t["status"] for t in paid["tranches"]] == ["paid"]

    # Open data: the final's result and the prize with its money.
    results = ok(await client.get("/open-data/results?limit=200"))
    assert {r["application_id"] for r in results if r["round_id"] == world.rounds[3]} == {entries["A"], entries["C"]}
    awards = {a["award_id"]: a for a in ok(await client.get("/open-data/awards?limit=200"))}
    assert awards[award["id"]]["prize"] == "一等奖" and awards[award["id"]]["amount_fen"] == FIRST
    assert awards[award["id"]]["project"] == "睦邻计划A" and awards[award["id"]]["round"] == "决赛"
    second_prize = by_entry[entries["C"]]["award_id"]
    assert awards[second_prize]["prize"] == "二等奖" and awards[second_prize]["amount_fen"] == SECOND
