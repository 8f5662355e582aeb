"""The review side's lists page (limit/offset, X-Total-Count, Link next) and read what they show in bulk."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from litestar import Litestar

from app.auth.tables import Role
from tests import factories
from tests.factories.applications import submitted
from tests.factories.http import ok
from tests.factories.notice import published_round
from tests.factories.review import setup_round

T = TypeVar("T")


async def test_a_rounds_assignments_and_an_experts_reviews_page(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)  # 3 applications, 2 experts each
    officer, round_id, experts = notice.officer, notice.round_id, notice.experts
    first = await client.get(f"/rounds/{round_id}/assignments", params={"limit": 4}, headers=officer.headers)
    assert first.status_code == 200 and len(first.json()) == 4
    assert first.headers["x-total-count"] == "6" and first.headers["x-has-more"] == "true"
    rest = ok(await client.get(f"/rounds/{round_id}/assignments?limit=4&offset=4", headers=officer.headers))
    rows = first.json() + rest
    assert sorted((r["application_id"], r["expert_id"]) for r in rows) == [
        (r["application_id"], r["expert_id"]) for r in rows
    ]
    assert all(r["status"] == "submitted" and "affinity" in r["reason"] for r in rows)
    mine = [r for r in rows if r["expert_id"] == experts[0].id]
    page = await client.get("/reviews/mine", params={"limit": 1}, headers=experts[0].headers)
    assert page.status_code == 200 and page.headers["x-total-count"] == str(len(mine))
    assert [v["assignment_id"] for v in page.json()] == [mine[0]["id"]]
    missing = await client.get("/rounds/999999/assignments", headers=officer.headers)
    assert missing.status_code == 404 and missing.json()["detail"] == "轮次不存在或无权访问"


async def test_a_notices_objections_page(client: httpx.AsyncClient) -> None:
    notice = await published_round(client)
    for application_id in notice.listed:
        member = notice.members[application_id]
        ok(
            await client.post(
                f"/publications/{notice.publication_id}/objections",
                json={"application_id": application_id, "reason": "评审打分明显偏高，请复核评分依据"},
                headers=member.headers,
            ),
            201,
        )
    path = f"/publications/{notice.publication_id}/objections"
    page = await client.get(path, params={"limit": 1}, headers=notice.officer.headers)
    assert page.status_code == 200 and page.headers["x-total-count"] == str(len(notice.listed))
    assert [o["application_id"] for o in page.json()] == notice.listed[:1]
    assert ok(await client.get("/publications", headers=notice.officer.headers))[0]["id"] == notice.publication_id


def test_every_list_of_the_review_side_pages(app: Litestar) -> None:
    """Every list of these rooms takes limit and offset (the list convention, app/paging.py)."""
    paths = app.openapi_schema.to_schema()["paths"]
    lists = [
        "/reviews/mine",
        "/experts",
        "/conflicts/mine",
        "/publications",
        "/publications/{publication_id}/objections",
        "/rounds/{round_id}/assignments",
        "/rounds/{round_id}/cut-line-ties",
        "/rounds/{round_id}/ranking",
    ]
    for path in lists:
        names = {p["name"] for p in paths[path]["get"].get("parameters", [])}
        assert {"limit", "offset"} <= names, path


def counting(monkeypatch: pytest.MonkeyPatch) -> Callable[[Awaitable[T]], Awaitable[tuple[T, int]]]:
    """``await count(request)``: the request's answer and the number of SQL statements it ran."""
    from piccolo.engine.postgres import PostgresEngine

    original = PostgresEngine.run_querystring

    async def count(request: Awaitable[T]) -> tuple[T, int]:
        ran: list[str] = []

        async def counted(self: PostgresEngine, querystring: Any, in_pool: bool = True) -> Any:
            ran.append(str(querystring))
            return await original(self, querystring, in_pool)

        monkeypatch.setattr(PostgresEngine, "run_querystring", counted)
        try:
            answer = await request
        finally:
            monkeypatch.setattr(PostgresEngine, "run_querystring", original)
        return answer, len(ran)

    return count


async def test_an_experts_blind_reviews_read_a_constant_number_of_queries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await setup_round(client, experts=2, applications=1, blind=True)
    officer, call, expert = world["officer"], world["round"], world["experts"][0]
    count = counting(monkeypatch)

    async def mine() -> tuple[int, int]:
        response, queries = await count(client.get("/reviews/mine", headers=expert.headers))
        views = ok(response)
        assert all(v["blind"] and v["organisation_name"] is None and v["criteria"] for v in views)
        return len(views), queries

    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    one, with_one = await mine()
    for _ in range(2):
        org_id, member = await factories.organisation()
        await submitted(client, member, org_id, call["id"])
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    three, with_three = await mine()
    assert (one, three) == (1, 3)
    assert with_one == with_three  # the page, its total, the rubrics, the blind forms: whatever the page holds


async def test_the_expert_pool_reads_a_constant_number_of_queries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await factories.user(Role.officer)
    org_id, _ = await factories.organisation()
    count = counting(monkeypatch)

    async def add_expert() -> None:
        expert = await factories.user(Role.expert)
        body = {"domains": ["为老服务"], "tags": ["助餐"], "affiliation_organisation_ids": [org_id]}
        ok(await client.put(f"/experts/{expert.id}/profile", json=body, headers=officer.headers))

    async def pool() -> tuple[int, int]:
        response, queries = await count(client.get("/experts", headers=officer.headers))
        profiles = ok(response)
        assert all(p["affiliation_organisation_ids"] == [org_id] for p in profiles)
        return len(profiles), queries

    await add_expert()
    one, with_one = await pool()
    for _ in range(2):
        await add_expert()
    three, with_three = await pool()
    assert (one, three) == (1, 3)
    assert with_one == with_three  # the page, its total, the profiles, the affiliations
