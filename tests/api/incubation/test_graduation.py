"""结项评估 through the review machinery: an officer in scope sends a supported project to its edition's graduation
round (the application carried there, submitted, with the project's record); experts are assigned and score it
through the ordinary routes (blind: no organisation); the officer's 优秀/合格/不合格 with reasons attaches the
submitted scores and is refused while fewer than the round's reviews are in; the organisation's read of a blind
evaluation names no expert; 不合格 may start the existing clawback path, in the same step."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.audit import AuditEntry
from app.reference import District
from programmes.tables import Application, Clawback
from tests import factories
from tests.factories.graduation import graduation_experts, graduation_round, review_entry
from tests.factories.http import ok, problem
from tests.factories.incubation import IncubationWorld, build, cohort_with_projects
from tests.factories.world import World, row_counts

BASE = "/incubation/projects"
CONCURRENCY = 50


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:
    return await build(world)


async def _started(
    client: httpx.AsyncClient, w: IncubationWorld, *, blind: bool = True
) -> tuple[dict[str, int], dict[str, object], dict[str, object]]:
    made = await cohort_with_projects(client, w)
    grad = await graduation_round(w.world.changning_officer, w.edition_id, blind=blind)
    started = ok(
        await client.post(
            f"{BASE}/{made['project_id']}/graduation/start",
            json={"round_id": grad["id"]},
            headers=w.world.changning_officer.headers,
        )
    )
    return made, grad, started


async def test_a_project_graduates_excellent_through_a_blind_round(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    url = f"{BASE}/{made['project_id']}"
    grad = await graduation_round(w.world.changning_officer, w.edition_id, blind=True, reviews=2)
    assert grad["id"] not in [c["id"] for c in ok(await client.get("/calls"))]  # no public call
    decision = {"outcome": "excellent", "reason": "指标全部达成"}
    problem(await client.post(f"{url}/graduation", json=decision, headers=officer), 409, "transition_invalid_state")
    body = {"round_id": grad["id"]}
    pudong = w.world.pudong_officer.headers
    problem(await client.post(f"{url}/graduation/start", json=body, headers=pudong), 404, "not_found")
    applicant = w.world.applicant.headers
    assert (await client.post(f"{url}/graduation/start", json=body, headers=applicant)).status_code == 403

    started = ok(await client.post(f"{url}/graduation/start", json=body, headers=officer))
    assert started["status"] == "evaluating"
    entry_id = started["evaluation"]["entry_id"]
    assert started["evaluation"] == {"round_id": grad["id"], "entry_id": entry_id, "blind": True}
    entry = await Application.select().where(Application.id == entry_id).first().output(load_json=True)
    assert entry is not None
    assert (entry["status"], entry["round"], entry["carried_from"]) == ("submitted", grad["id"], w.awarded_id)
    assert entry["organisation"] == w.world.org_id and entry["form_version"] == grad["form_id"]
    assert entry["eligibility_outcome"] == "eligible"
    record = entry["submitted_answers"]["graduation"]
    assert record["goals"] == "为独居老人助餐"
    assert [i["name"] for i in record["indicators"]] == ["服务人次"] and record["indicators"][0]["target"] == 1200
    assert [(m["kind"], m["late"]) for m in record["milestones"]] == [("milestone", True), ("final", False)]
    assert record["final_report"] is None  # not submitted yet

    # Fewer submitted reviews than the round asks: no decision.
    refused = problem(
        await client.post(f"{url}/graduation", json=decision, headers=officer), 409, "graduation_not_reviewed"
    )
    assert "2 位" in refused["detail"]
    experts = await graduation_experts(2)
    [first] = await review_entry(client, w.world.changning_officer, entry_id, experts[:1], [(90, 80)])
    assert first["blind"] is True and first["organisation_name"] is None  # blind exactly as for any entry
    assert first["answers"]["graduation"]["indicators"][0]["name"] == "服务人次"
    problem(await client.post(f"{url}/graduation", json=decision, headers=officer), 409, "graduation_not_reviewed")
    await review_entry(client, w.world.changning_officer, entry_id, experts[1:], [(80, 70)])

    done = ok(await client.post(f"{url}/graduation", json=decision, headers=officer))
    assert done["status"] == "excellent" and done["status_zh"] == "结项：优秀" and done["reason"] == "指标全部达成"
    evaluation = done["evaluation"]
    # 90·0.6 + 80·0.4 = 86; 80·0.6 + 70·0.4 = 76; their mean 81.
    assert [s["score"] for s in evaluation["scores"]] == [86, 76] and evaluation["mean_score"] == 81
    assert {c["code"]: c["mean"] for c in evaluation["criteria"]} == {"goals": 85, "sustainability": 75}
    assert evaluation["reviews_required"] == 2 and evaluation["blind"] is True
    assert {s["expert_id"] for s in evaluation["scores"]} == {e.id for e in experts}  # staff see who
    assert done["graduated_at"] is not None
    seen = ok(await client.get(url, headers=applicant))["evaluation"]
    assert seen["scores"] == [
        {"score": 86, "comment": f"{experts[0].id} 的评语"},
        {"score": 76, "comment": f"{experts[1].id} 的评语"},
    ]
    assert seen["mean_score"] == 81 and seen["criteria"] == evaluation["criteria"]
    assert not any(e.principal.username in str(seen) for e in experts)
    plan = {"goals": "改", "indicators": []}
    problem(await client.put(f"{url}/plan", json=plan, headers=officer), 409, "plan_not_editable")
    notices = ok(await client.get("/notifications/mine", headers=applicant))
    assert any("结项：优秀" in n["body"] for n in notices), notices
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == made["project_id"])
    assert {"supported_project.start_evaluation", "supported_project.graduate_excellent"} <= {
        a["action"] for a in audit
    }


async def test_a_named_round_shows_the_organisation_the_experts(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    made, _, started = await _started(client, w, blind=False)
    entry_id = started["evaluation"]["entry_id"]  # type: ignore[index]
    experts = await graduation_experts(2)
    [view, _] = await review_entry(client, w.world.changning_officer, entry_id, experts, [(70, 70), (60, 50)])
    assert view["blind"] is False and view["organisation_name"] is not None
    url = f"{BASE}/{made['project_id']}"
    decision = {"outcome": "passed", "reason": "基本达成"}
    done = ok(await client.post(f"{url}/graduation", json=decision, headers=w.world.changning_officer.headers))
    assert done["status"] == "passed" and done["evaluation"]["mean_score"] == 63  # (70 + 56) / 2
    seen = ok(await client.get(url, headers=w.world.applicant.headers))["evaluation"]["scores"]
    assert [s["expert_name"] for s in seen] == [e.principal.username for e in experts]


async def test_bad_graduation_start_changes_nothing(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer
    made = await cohort_with_projects(client, w)
    url = f"{BASE}/{made['project_id']}/graduation/start"
    other = await factories.contest_round(officer, district=District.changning, kind="support_plan")
    elsewhere = await graduation_round(officer, other["edition_id"])
    draft_round = await graduation_round(officer, w.edition_id)
    from programmes.tables import Round

    await Round.update({Round.status: "draft"}).where(Round.id == draft_round["id"])
    pudong = await factories.contest_round(w.world.pudong_officer, district=District.pudong, kind="support_plan")
    before = await row_counts()
    for body, status, code in (
        ({"round_id": w.round_id}, 422, "round_not_graduation"),
        ({"round_id": elsewhere["id"]}, 422, "round_not_in_edition"),
        ({"round_id": draft_round["id"]}, 409, "graduation_round_not_open"),
        ({"round_id": pudong["id"]}, 404, "not_found"),
        ({"round_id": 2**31 - 1}, 404, "not_found"),
        ({"round_id": "八"}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
        ({"round_id": elsewhere["id"], "extra": 1}, 422, "validation_failed"),
    ):
        bad = problem(await client.post(url, json=body, headers=officer.headers), status, code)
        if status == 422:
            assert bad["errors"][0]["field"].split(".")[0] in ("round_id", "extra"), bad
    assert await row_counts() == before


async def test_50_concurrent_starts_carry_one_entry(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    made = await cohort_with_projects(client, w)
    grad = await graduation_round(w.world.changning_officer, w.edition_id)
    url = f"{BASE}/{made['project_id']}/graduation/start"
    responses = await asyncio.gather(
        *[
            client.post(url, json={"round_id": grad["id"]}, headers=w.world.changning_officer.headers)
            for _ in range(CONCURRENCY)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (CONCURRENCY - 1)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"transition_invalid_state"}
    assert await Application.count().where(Application.carried_from == w.awarded_id) == 1


async def test_failed_outcome_and_the_clawback_path(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made, _, started = await _started(client, w)
    await review_entry(
        client,
        w.world.changning_officer,
        started["evaluation"]["entry_id"],
        await graduation_experts(2),
        [(40, 30)] * 2,  # type: ignore[index]
    )
    url = f"{BASE}/{made['project_id']}"
    claw = {"amount_fen": 100_000, "finding": "项目未按计划执行"}
    wrong = problem(
        await client.post(
            f"{url}/graduation", json={"outcome": "passed", "reason": "基本达成", "clawback": claw}, headers=officer
        ),
        422,
        "clawback_needs_failure",
    )
    assert wrong["errors"][0]["field"] == "clawback"
    # The builder's paid tranche is not in the ledger, so nothing is recoverable: the clawback refuses, and the
    # whole step with it (the project stays under evaluation).
    refused = await client.post(
        f"{url}/graduation", json={"outcome": "failed", "reason": "指标未达成", "clawback": claw}, headers=officer
    )
    assert refused.status_code == 409 and refused.json()["code"] == "clawback_exceeds_paid", refused.text
    assert ok(await client.get(url, headers=officer))["status"] == "evaluating"
    assert await Clawback.count() == 0
    failed = ok(
        await client.post(f"{url}/graduation", json={"outcome": "failed", "reason": "指标未达成"}, headers=officer)
    )
    assert failed["status"] == "failed" and failed["clawback_id"] is None and failed["evaluation"]["mean_score"] == 36


async def test_bad_graduation_input(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made, _, _ = await _started(client, w)
    url = f"{BASE}/{made['project_id']}/graduation"
    for body, field in (
        ({"outcome": "great", "reason": "很好"}, "outcome"),
        ({"outcome": "passed", "reason": ""}, "reason"),
        ({"outcome": "passed", "reason": "合格", "scores": [{"expert_name": "甲", "score": 90}]}, "scores"),
        ({"outcome": "passed", "reason": "合格", "blind": False}, "blind"),
    ):
        bad = problem(await client.post(url, json=body, headers=officer), 422, "validation_failed")
        assert bad["errors"][0]["field"] == field, bad
    decision = {"outcome": "passed", "reason": "合格"}
    problem(await client.post(url, json=decision, headers=w.world.pudong_officer.headers), 404, "not_found")
    for outsider in (w.world.applicant, w.world.expert):
        problem(await client.post(url, json=decision, headers=outsider.headers), 403, "forbidden")
    # The city officer's scope covers the district's project; still no decision without the reviews.
    city = w.world.city_officer.headers
    problem(await client.post(url, json=decision, headers=city), 409, "graduation_not_reviewed")
    assert ok(await client.get(f"{BASE}/{made['project_id']}", headers=officer))["status"] == "evaluating"


async def test_two_projects_of_one_organisation_share_a_graduation_round(
    client: httpx.AsyncClient, incubation: IncubationWorld
) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    await Application.update({Application.status: "selected"}).where(Application.id == w.draft_id)  # entry 2
    body = {"application_id": w.draft_id}
    second = ok(await client.post(f"/incubation/cohorts/{made['cohort_id']}/projects", json=body, headers=officer), 201)
    grad = await graduation_round(w.world.changning_officer, w.edition_id)
    entries = []
    for project_id in (made["project_id"], second["id"]):
        url = f"{BASE}/{project_id}/graduation/start"
        entries.append(
            ok(await client.post(url, json={"round_id": grad["id"]}, headers=officer))["evaluation"]["entry_id"]
        )
    rows = (
        await Application.select(Application.carried_from, Application.entry_number)
        .where(Application.id.is_in(entries))
        .order_by(Application.id)
    )
    assert rows == [
        {"carried_from": w.awarded_id, "entry_number": 1},
        {"carried_from": w.draft_id, "entry_number": 2},
    ]
    # A graduation entry is a project under evaluation, never a project of its own.
    problem(
        await client.post(
            f"/incubation/cohorts/{made['cohort_id']}/projects", json={"application_id": entries[0]}, headers=officer
        ),
        422,
        "project_not_in_edition",
    )
