"""双随机、一公开 through the API: the seed comes from the server (commit-reveal), a redraw needs a public reason,
findings are append-only, and anyone can recompute the pick from the public record."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import asyncpg
import httpx
import pytest

from app.audit import AuditEntry
from programmes.draws.draw import draw
from programmes.draws.tables import InspectionDraw, InspectionFinding
from tests.factories.http import ok
from tests.factories.money import funded_edition
from tests.factories.owner import as_owner
from tests.factories.world import World


def recompute(record: dict[str, Any]) -> list[tuple[int, tuple[int, ...]]]:
    """What any member of the public can do with a revealed draw."""
    conflicts = {int(k): set(v) for k, v in record["conflicts"].items()}
    picked = draw(
        record["seed"],
        record["candidate_awards"],
        record["candidate_inspectors"],
        record["projects_to_draw"],
        record["inspectors_per_project"],
        conflicts,
    )
    return [(d.award_id, d.inspector_ids) for d in picked]


async def test_seed_is_committed_by_hash_then_revealed_and_reproducible(
    client: httpx.AsyncClient, world: World
) -> None:
    path = await funded_edition(client, world)
    staff = world.city_officer.headers
    body = {"projects": 2, "inspectors_per_project": 2}
    chosen = await client.post(path, json={**body, "seed": "2026-双随机"}, headers=staff)
    assert chosen.status_code == 422  # the officer cannot choose the seed
    committed = ok(await client.post(path, json=body, headers=staff), 201)
    assert committed["status"] == "committed" and committed["seed"] is None and committed["projects"] == []
    assert len(committed["seed_hash"]) == 64
    public = ok(await client.get("/inspection-draws"))
    assert public[0]["seed_hash"] == committed["seed_hash"] and public[0]["seed"] is None
    assert (await InspectionDraw.select(InspectionDraw.seed).first() or {})["seed"] == ""  # not even stored here

    executed = ok(await client.post(f"/inspection-draws/{committed['id']}/execute", headers=staff))
    assert executed["status"] == "executed"
    assert hashlib.sha256(executed["seed"].encode()).hexdigest() == committed["seed_hash"]
    inspector_ids = {
        i: a for i, a in zip(executed["candidate_inspectors"], executed["candidate_inspectors"], strict=True)
    }
    assert len(inspector_ids) >= 2
    stored = await InspectionDraw.select(InspectionDraw.selections).first().output(load_json=True)
    assert stored is not None
    assert recompute(executed) == [(s["award_id"], tuple(s["inspector_ids"])) for s in stored["selections"]]
    other_name = world.other_expert.principal.username
    assert all(other_name not in p["inspectors"] for p in executed["projects"])
    again = await client.post(f"/inspection-draws/{committed['id']}/execute", headers=staff)
    assert again.status_code == 409 and again.json()["code"] == "draw_not_committed"
    outside = await client.post(path, json=body, headers=world.pudong_officer.headers)
    assert outside.status_code == 404
    too_many = await client.post(path, json={"projects": 9, "inspectors_per_project": 1}, headers=staff)
    assert too_many.status_code == 409 and too_many.json()["code"] == "draw_impossible"
    assert await InspectionDraw.count() == 1


async def test_a_redraw_needs_a_public_reason_and_supersedes(client: httpx.AsyncClient, world: World) -> None:
    path = await funded_edition(client, world)
    staff = world.city_officer.headers
    body = {"projects": 1, "inspectors_per_project": 1}
    first = ok(await client.post(path, json=body, headers=staff), 201)
    refused = await client.post(path, json=body, headers=staff)
    assert refused.status_code == 409 and refused.json()["code"] == "redraw_reason_required"
    assert refused.json()["errors"][0]["field"] == "redraw_reason"
    assert await InspectionDraw.count() == 1
    second = ok(await client.post(path, json={**body, "redraw_reason": "原抽查人员因病无法到场"}, headers=staff), 201)
    public = {d["id"]: d for d in ok(await client.get("/inspection-draws"))}
    assert public[first["id"]]["status"] == "superseded" and public[first["id"]]["superseded_by"] == second["id"]
    # The abandoned draw's seed is revealed: anyone can check it was the committed one.
    revealed = public[first["id"]]["seed"]
    assert hashlib.sha256(revealed.encode()).hexdigest() == first["seed_hash"]
    assert public[second["id"]]["redraw_reason"] == "原抽查人员因病无法到场"
    superseded = await client.post(f"/inspection-draws/{first['id']}/execute", headers=staff)
    assert superseded.status_code == 409
    audited = await AuditEntry.select(AuditEntry.action, AuditEntry.reason).where(
        AuditEntry.object_type == "inspection_draw"
    )
    assert {"inspection_draw.commit", "inspection_draw.supersede"} <= {a["action"] for a in audited}
    assert any(a["action"] == "inspection_draw.supersede" and a["reason"] == "原抽查人员因病无法到场" for a in audited)


async def test_concurrent_draws_without_reason_make_one(client: httpx.AsyncClient, world: World) -> None:
    path = await funded_edition(client, world)
    body = {"projects": 1, "inspectors_per_project": 1}
    answers = await asyncio.gather(
        *[client.post(path, json=body, headers=world.city_officer.headers) for _ in range(50)]
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 49
    assert await InspectionDraw.count() == 1
    draw_id = next(r.json()["id"] for r in answers if r.status_code == 201)
    runs = await asyncio.gather(
        *[client.post(f"/inspection-draws/{draw_id}/execute", headers=world.city_officer.headers) for _ in range(50)]
    )
    assert sorted(r.status_code for r in runs) == [200] + [409] * 49
    assert await AuditEntry.count().where(AuditEntry.action == "inspection_draw.execute") == 1


async def test_findings_are_append_only_and_corrections_refer(client: httpx.AsyncClient, world: World) -> None:
    path = await funded_edition(client, world)
    staff = world.city_officer.headers
    committed = ok(await client.post(path, json={"projects": 1, "inspectors_per_project": 1}, headers=staff), 201)
    early = await client.post(
        f"/inspection-draws/{committed['id']}/findings",
        json={"award_id": committed["candidate_awards"][0], "finding": "尚未抽取"},
        headers=staff,
    )
    assert early.status_code == 409 and early.json()["code"] == "draw_not_executed"
    executed = ok(await client.post(f"/inspection-draws/{committed['id']}/execute", headers=staff))
    award_id = executed["projects"][0]["award_id"]
    findings = f"/inspection-draws/{committed['id']}/findings"
    first = ok(await client.post(findings, json={"award_id": award_id, "finding": "台账不全"}, headers=staff))
    [original] = first["projects"][0]["findings"]
    overwrite = await client.post(findings, json={"award_id": award_id, "finding": "资金使用规范"}, headers=staff)
    assert overwrite.status_code == 409 and overwrite.json()["code"] == "finding_correction_mismatch"
    corrected = ok(
        await client.post(
            findings,
            json={"award_id": award_id, "finding": "补交台账后核实规范", "corrects": original["id"]},
            headers=staff,
        )
    )
    project = corrected["projects"][0]
    assert project["finding"] == "补交台账后核实规范"
    assert [f["finding"] for f in project["findings"]] == ["台账不全", "补交台账后核实规范"]
    assert project["findings"][1]["corrects"] == original["id"]
    assert any(
        d["projects"] and len(d["projects"][0]["findings"]) == 2 for d in ok(await client.get("/inspection-draws"))
    )
    # The database refuses rewriting history, for the app role and the owner alike.
    finding_id = int(original["id"])
    for statement in (
        f"UPDATE inspection_finding SET finding = '改写' WHERE id = {finding_id}",  # noqa: S608 — an int, in a test
        f"DELETE FROM inspection_finding WHERE id = {finding_id}",  # noqa: S608
        "TRUNCATE inspection_finding CASCADE",
    ):
        with pytest.raises(asyncpg.PostgresError):
            await as_owner(statement)
        with pytest.raises(asyncpg.PostgresError):
            await InspectionFinding.raw(statement)
    assert await InspectionFinding.count() == 2


async def test_the_public_list_pages_and_reads_a_page_in_bulk(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piccolo.engine.postgres import PostgresEngine

    path = await funded_edition(client, world)
    staff = world.city_officer.headers
    body = {"projects": 1, "inspectors_per_project": 1}
    queries = 0
    run = PostgresEngine.run_querystring

    async def counted(self: PostgresEngine, *args: Any, **kwargs: Any) -> Any:
        nonlocal queries
        queries += 1
        return await run(self, *args, **kwargs)

    async def listed() -> tuple[int, httpx.Response]:
        nonlocal queries
        queries = 0
        monkeypatch.setattr(PostgresEngine, "run_querystring", counted)
        response = await client.get("/inspection-draws", params={"limit": 2})
        monkeypatch.setattr(PostgresEngine, "run_querystring", run)
        return queries, response

    first = ok(await client.post(path, json=body, headers=staff), 201)
    ok(await client.post(f"/inspection-draws/{first['id']}/execute", headers=staff))
    alone, response = await listed()
    assert response.headers["x-total-count"] == "1" and response.headers["x-has-more"] == "false"
    for n in range(2):
        redraw = ok(await client.post(path, json={**body, "redraw_reason": f"第 {n + 2} 次重抽"}, headers=staff), 201)
        ok(await client.post(f"/inspection-draws/{redraw['id']}/execute", headers=staff))
    several, response = await listed()
    assert [d["redraw_reason"] for d in response.json()] == ["第 3 次重抽", "第 2 次重抽"]  # newest first
    assert response.headers["x-total-count"] == "3" and 'rel="next"' in response.headers["link"]
    assert 0 < several == alone  # awards, inspectors and findings are read for the whole page, not per draw
