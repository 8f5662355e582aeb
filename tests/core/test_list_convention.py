"""One list convention (app/paging.py), checked on every list route the OpenAPI document declares.

A list route is a GET whose 200 response is a JSON array. Each must take ``limit`` (at most ``MAX_LIMIT``) and
``offset``, and its query count must not grow with the page: with the demo world loaded, a page of 1 and a page of
50 run the same number of SQL statements (counted by wrapping the engine's query method, not mocking it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from piccolo.engine import engine_finder

from app.paging import MAX_LIMIT
from app.piccolo_registry import APP_REGISTRY
from app.site.asgi import create_app
from app.site.demo import DEMO_LOGINS, load_demo

PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _list_routes() -> dict[str, dict[str, Any]]:
    """path → GET operation, for every GET answering 200 with an array (read once, when the tests are collected)."""
    document = create_app(with_admin=False, manage_pool=False).openapi_schema.to_schema()
    routes = {}
    for path, item in sorted(document["paths"].items()):
        operation = item.get("get")
        content = (operation or {}).get("responses", {}).get("200", {}).get("content", {})
        for media in content.values():
            if _schema(document, media.get("schema", {})).get("type") == "array":
                routes[path] = operation
    return routes


LIST_ROUTES = _list_routes()


def test_the_walk_finds_the_lists() -> None:
    # Guards the walk itself: if the document's shape changed, the checks below would pass on nothing.
    assert "/programmes" in LIST_ROUTES and len(LIST_ROUTES) > 10


@pytest.mark.parametrize("path", sorted(LIST_ROUTES))
def test_every_list_route_declares_limit_and_offset(path: str) -> None:
    parameters = {p["name"]: p for p in LIST_ROUTES[path].get("parameters", []) if p.get("in") == "query"}
    assert {"limit", "offset"} <= set(parameters), f"GET {path} does not page (app/paging.py)"
    assert parameters["limit"]["schema"].get("maximum") == MAX_LIMIT, f"GET {path}: limit must be at most {MAX_LIMIT}"


class StatementCounter:
    """Counts the statements the engine runs; every Piccolo query, raw ones included, passes ``run_querystring``."""

    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def counting(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementCounter]:
        engine = engine_finder()
        assert engine is not None
        # On the class: the engine's instance attributes are slots, read-only.
        engine_class = type(engine)
        original = engine_class.run_querystring

        async def run_querystring(engine: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(engine, *args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(engine_class, "run_querystring", run_querystring)
            yield self


async def _headers(client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """A bearer header per demo login, and none (public lists)."""
    headers: dict[str, dict[str, str]] = {"public": {}}
    for _, username, password in DEMO_LOGINS:
        response = await client.post("/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        headers[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return headers


async def _candidate_ids(name: str) -> list[int]:
    """Ids for a path parameter ``<table>_id`` (every row of that table: the demo world is small)."""
    tablename = name.removesuffix("_id")
    for config in APP_REGISTRY.app_configs.values():
        for table in config.table_classes:
            if table._meta.tablename == tablename:
                return [row["id"] for row in await table.select(table.id).order_by(table.id)]
    raise AssertionError(f"no table for path parameter {{{name}}}")


async def _urls(path: str) -> list[str]:
    urls = [path]
    for name in PATH_PARAMETER.findall(path):
        ids = await _candidate_ids(name)
        urls = [url.replace(f"{{{name}}}", str(row_id)) for url in urls for row_id in ids]
    return urls


async def _fullest(client: httpx.AsyncClient, path: str, headers: dict[str, dict[str, str]]) -> tuple[str, str, int]:
    """The (url, login, rows) that shows this list the most rows at limit=50, so a per-row query would show."""
    best: tuple[str, str, int] | None = None
    for url in await _urls(path):
        for login, header in headers.items():
            response = await client.get(url, params={"limit": 50}, headers=header)
            if response.status_code == 200 and (best is None or len(response.json()) > best[2]):
                best = (url, login, len(response.json()))
    if best is None:
        raise LookupError(f"GET {path}: no 200 for any demo login and id")
    return best


async def test_list_queries_do_not_grow_with_the_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await load_demo()
    headers = await _headers(client)
    counter = StatementCounter()
    problems: list[str] = []
    for path in sorted(LIST_ROUTES):
        if not await _urls(path):
            continue  # the demo world has no row to name in the path (e.g. no publication): nothing to count
        try:
            url, login, _ = await _fullest(client, path, headers)
        except LookupError as exc:
            problems.append(str(exc))
            continue
        statements, rows = {}, {}
        for limit in (1, 50):
            with counter.counting(monkeypatch):
                counter.count = 0
                response = await client.get(url, params={"limit": limit}, headers=headers[login])
            assert response.status_code == 200, f"GET {url} as {login}: {response.text}"
            statements[limit], rows[limit] = counter.count, len(response.json())
        if rows[1] > 1:
            problems.append(f"GET {url} as {login}: {rows[1]} rows at limit=1 (limit ignored)")
        elif statements[1] != statements[50]:
            problems.append(f"GET {url} as {login}: {statements[1]} statements at limit=1, {statements[50]} at 50")
    assert not problems, "\n".join(problems)
