"""结项评估: an officer in scope starts the evaluation and records 优秀/合格/不合格 with reasons and the experts'
scores (the officer-decision form: no graduation review round yet); the plan freezes; 不合格 may start the existing
clawback path, in the same step (refused with the clawback's own code when nothing was paid back-able)."""

from __future__ import annotations

import httpx
import pytest

from app.audit import AuditEntry
from programmes.tables import Clawback
from tests.factories.http import ok, problem
from tests.factories.incubation import IncubationWorld, build, cohort_with_projects
from tests.factories.world import World

BASE = "/incubation/projects"


@pytest.fixture
async def incubation(world: World) -> IncubationWorld:
    return await build(world)


SCORES = [{"expert_name": "专家一", "score": 92}, {"expert_name": "专家二", "score": 88, "comment": "可复制"}]


async def test_a_project_graduates_excellent(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    url = f"{BASE}/{made['project_id']}"
    decision = {"outcome": "excellent", "reason": "指标全部达成", "scores": SCORES}
    problem(await client.post(f"{url}/graduation", json=decision, headers=officer), 409, "transition_invalid_state")
    problem(await client.post(f"{url}/graduation/start", headers=w.world.pudong_officer.headers), 404, "not_found")
    assert (await client.post(f"{url}/graduation/start", headers=w.world.applicant.headers)).status_code == 403
    started = ok(await client.post(f"{url}/graduation/start", headers=officer))
    assert started["status"] == "evaluating"
    done = ok(await client.post(f"{url}/graduation", json=decision, headers=officer))
    assert done["status"] == "excellent" and done["status_zh"] == "结项：优秀" and done["reason"] == "指标全部达成"
    assert done["evaluation"]["mean_score"] == 90 and done["evaluation"]["blind"] is True
    assert done["graduated_at"] is not None
    seen = ok(await client.get(url, headers=w.world.applicant.headers))["evaluation"]["scores"]
    assert seen == [{"score": 92, "comment": ""}, {"score": 88, "comment": "可复制"}]  # blind: no expert names
    plan = {"goals": "改", "indicators": []}
    problem(await client.put(f"{url}/plan", json=plan, headers=officer), 409, "plan_not_editable")
    notices = ok(await client.get("/notifications/mine", headers=w.world.applicant.headers))
    assert any("结项：优秀" in n["body"] for n in notices), notices
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == made["project_id"])
    assert {"supported_project.start_evaluation", "supported_project.graduate_excellent"} <= {
        a["action"] for a in audit
    }


async def test_failed_outcome_and_the_clawback_path(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    url = f"{BASE}/{made['project_id']}"
    ok(await client.post(f"{url}/graduation/start", headers=officer))
    claw = {"amount_fen": 100_000, "finding": "项目未按计划执行"}
    wrong = problem(
        await client.post(
            f"{url}/graduation",
            json={"outcome": "passed", "reason": "基本达成", "scores": SCORES, "clawback": claw},
            headers=officer,
        ),
        422,
        "clawback_needs_failure",
    )
    assert wrong["errors"][0]["field"] == "clawback"
    # The builder's paid tranche is not in the ledger, so nothing is recoverable: the clawback refuses, and the
    # whole step with it (the project stays under evaluation).
    refused = await client.post(
        f"{url}/graduation",
        json={"outcome": "failed", "reason": "指标未达成", "scores": SCORES, "clawback": claw},
        headers=officer,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "clawback_exceeds_paid", refused.text
    assert ok(await client.get(url, headers=officer))["status"] == "evaluating"
    assert await Clawback.count() == 0
    failed = ok(
        await client.post(
            f"{url}/graduation", json={"outcome": "failed", "reason": "指标未达成", "scores": SCORES}, headers=officer
        )
    )
    assert failed["status"] == "failed" and failed["clawback_id"] is None


async def test_bad_graduation_input(client: httpx.AsyncClient, incubation: IncubationWorld) -> None:
    w = incubation
    officer = w.world.changning_officer.headers
    made = await cohort_with_projects(client, w)
    url = f"{BASE}/{made['project_id']}/graduation"
    ok(await client.post(f"{url}/start", headers=officer))
    for body, field in (
        ({"outcome": "great", "reason": "很好", "scores": SCORES}, "outcome"),
        ({"outcome": "passed", "reason": "", "scores": SCORES}, "reason"),
        ({"outcome": "passed", "reason": "合格", "scores": []}, "scores"),
        ({"outcome": "passed", "reason": "合格", "scores": [{"expert_name": "甲", "score": 101}]}, "scores.0.score"),
    ):
        bad = problem(await client.post(url, json=body, headers=officer), 422, "validation_failed")
        assert bad["errors"][0]["field"] == field, bad
