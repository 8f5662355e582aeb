"""Every operation in the OpenAPI document, sent every bad shape of input: the answer is never a 5xx.

Generated from the app's route table and its OpenAPI document (not a hand list), so a new route is covered the
day it is added. Each request is authenticated as a role the route admits, so the guard passes and the bad input
reaches parsing, validation and the service.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from app.auth.principal import Permission
from app.auth.tables import Role
from tests.factories.world import World

HUGE_IDS = ["3000000000", "99999999999999999999", "-3000000000"]
DEEP = b"[" * 3_000 + b"]" * 3_000


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI form: /applications/{application_id}
    permission: Permission
    spec: dict[str, Any]


def operations(app: Litestar) -> Iterator[Operation]:
    paths = app.openapi_schema.to_schema()["paths"]
    for route in app.routes:
        openapi_path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or openapi_path not in paths:
                continue
            for method in handler.http_methods:
                spec = paths[openapi_path].get(method.lower())
                if spec is not None:
                    yield Operation(method, openapi_path, handler.opt["permission"], spec)


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for a schema, so that one corrupted field at a time is what the server sees."""
    schema = resolve(schema, components)
    if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return example(next(s for s in schema[key] if s.get("type") != "null"), components, depth)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {k: example(v, components, depth + 1) for k, v in schema.get("properties", {}).items()}
    return {"string": "测试内容", "integer": 1, "number": 1, "boolean": True, "array": []}.get(str(kind), None)


def corruptions(valid: Any) -> Iterator[tuple[str, Any]]:
    """(name, body): bodies as JSON values, or raw bytes for what JSON cannot say."""
    yield "deep", DEEP
    yield "deep_in_field", b'{"x": ' + DEEP + b"}"
    yield "not_an_object", ["a", "list"]
    yield "null", None
    if not isinstance(valid, dict) or not valid:
        yield "long_string", "长" * 20_000
        return
    yield "huge_ints", {k: 10**20 if isinstance(v, int) and not isinstance(v, bool) else v for k, v in valid.items()}
    yield "int32_ids", {k: 3_000_000_000 if k.endswith("_id") else v for k, v in valid.items()}
    yield "id_lists", {k: [3_000_000_000] if k.endswith("_ids") else v for k, v in valid.items()}
    yield "long_strings", {k: "长" * 20_000 if isinstance(v, str) else v for k, v in valid.items()}
    yield "nul", {k: "坏\x00值" if isinstance(v, str) else v for k, v in valid.items()}
    yield "nul_nested", {k: {"a": ["\x00"]} if isinstance(v, dict) else v for k, v in valid.items()}
    yield "wrong_types", {k: {"nested": [1, "x"]} for k in valid}
    yield "scalars_for_objects", {k: "不是对象" for k in valid}


def caller(world: World, permission: Permission) -> dict[str, str]:
    if permission.roles is None:
        return {}
    for role, user in (
        (Role.admin, world.admin),
        (Role.officer, world.city_officer),
        (Role.applicant, world.applicant),
        (Role.expert, world.expert),
        (Role.community, world.community),
    ):
        if role in permission.roles:
            return user.headers
    raise AssertionError(permission)


def valid_path(path: str, world: World) -> str:
    known = {
        "application_id": world.draft_id,
        "round_id": world.round["id"],
        "edition_id": world.round["edition_id"],
        "programme_id": world.round["programme_id"],
        "assignment_id": world.assignment_id,
        "organisation_id": world.org_id,
        "expert_id": world.expert.id,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(known.get(m.group(1), 1)), path)


async def test_no_bad_input_reaches_a_5xx_on_any_route(client: httpx.AsyncClient, world: World, app: Litestar) -> None:
    started = time.monotonic()
    components = app.openapi_schema.to_schema()["components"]["schemas"]
    failures: list[str] = []
    sent = 0

    async def send(op: Operation, shape: str, path: str, **kwargs: Any) -> None:
        nonlocal sent
        sent += 1
        headers = {**caller(world, op.permission), **kwargs.pop("headers", {})}
        response = await client.request(op.method, path, headers=headers, **kwargs)
        if response.status_code >= 500:
            failures.append(f"{op.method} {path} [{shape}] → {response.status_code} {response.text[:200]}")

    ops = list(operations(app))
    assert len(ops) > 80, "the walk should see every operation"
    for op in ops:
        parameters = op.spec.get("parameters", [])
        for name in [p["name"] for p in parameters if p["in"] == "path"]:
            for huge in HUGE_IDS:
                await send(op, f"path {name}={huge}", valid_path(op.path.replace("{" + name + "}", huge), world))
        path = valid_path(op.path, world)
        for param in [p for p in parameters if p["in"] == "query"]:
            for bad in [*HUGE_IDS, "坏\x00值", "长" * 5_000, "[]"]:
                await send(op, f"query {param['name']}", path, params={param["name"]: bad})
        content = op.spec.get("requestBody", {}).get("content", {})
        if "multipart/form-data" in content:
            await send(op, "multipart without file", path, files={"other": ("a.txt", b"x", "text/plain")})
            await send(op, "multipart, no parts", path, data={"note": "x"})
            await send(op, "multipart as json", path, json={"file": "x"})
        if "application/json" in content:
            valid = example(content["application/json"]["schema"], components)
            await send(op, "empty body", path)
            for shape, body in corruptions(valid):
                if isinstance(body, bytes):
                    await send(op, shape, path, content=body, headers={"content-type": "application/json"})
                else:
                    await send(op, shape, path, json=body)
    assert sent > 500
    assert not failures, "\n".join(failures)
    print(f"{sent} bad requests to {len(ops)} operations in {time.monotonic() - started:.1f} s")  # ~30 s here
