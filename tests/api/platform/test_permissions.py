"""Every route declares a permission; each role is tried on each slice route, including objects out of scope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from app.auth.principal import Permission
from app.auth.tables import Role
from tests.factories.world import World

ROLE_USERS = {
    Role.applicant: lambda w: w.applicant,
    Role.expert: lambda w: w.expert,
    Role.officer: lambda w: w.city_officer,
    Role.admin: lambda w: w.admin,
    Role.community: lambda w: w.community,
}

# (method, path builder, roles allowed by the route's permission)
ROUTES: list[tuple[str, Any, set[Role]]] = [
    ("GET", lambda w: "/auth/me", set(Role)),
    ("GET", lambda w: "/organisations/mine", {Role.applicant}),
    ("GET", lambda w: f"/organisations/{w.org_id}", set(Role)),
    ("GET", lambda w: "/programmes", {Role.officer, Role.admin}),
    ("POST", lambda w: "/programmes", {Role.officer, Role.admin}),
    ("POST", lambda w: f"/programmes/{w.round['programme_id']}/editions", {Role.officer, Role.admin}),
    ("POST", lambda w: f"/editions/{w.round['edition_id']}/rounds", {Role.officer, Role.admin}),
    ("POST", lambda w: f"/rounds/{w.round['id']}/open", {Role.officer, Role.admin}),
    ("POST", lambda w: f"/rounds/{w.round['id']}/close", {Role.officer, Role.admin}),
    ("GET", lambda w: f"/rounds/{w.round['id']}/ranking", {Role.officer, Role.admin}),
    ("GET", lambda w: f"/rounds/{w.round['id']}/applications", {Role.officer, Role.admin}),
    ("POST", lambda w: "/applications", {Role.applicant}),
    ("PATCH", lambda w: f"/applications/{w.draft_id}", {Role.applicant}),
    ("POST", lambda w: f"/applications/{w.draft_id}/submit", {Role.applicant}),
    ("GET", lambda w: "/applications/mine", {Role.applicant}),
    ("GET", lambda w: f"/applications/{w.draft_id}", set(Role)),
    ("POST", lambda w: "/assignments", {Role.officer, Role.admin}),
    ("GET", lambda w: "/reviews/mine", {Role.expert}),
    ("GET", lambda w: f"/reviews/{w.assignment_id}", {Role.expert}),
    ("POST", lambda w: f"/reviews/{w.assignment_id}/submit", {Role.expert}),
    ("POST", lambda w: "/fund-sources", {Role.officer, Role.admin}),
    ("POST", lambda w: f"/editions/{w.round['edition_id']}/budget-lines", {Role.officer, Role.admin}),
    ("POST", lambda w: "/awards", {Role.officer, Role.admin}),
    ("GET", lambda w: "/awards/1", {Role.officer, Role.admin}),
    ("POST", lambda w: "/payment-batches", {Role.officer, Role.admin}),
    ("POST", lambda w: "/payment-batches/1/approve", {Role.officer, Role.admin}),
    ("GET", lambda w: "/payment-batches/1", {Role.officer, Role.admin}),
    ("GET", lambda w: "/agreements", {Role.applicant, Role.officer, Role.admin}),
    ("GET", lambda w: "/agreements/1", {Role.applicant, Role.officer, Role.admin}),
    ("POST", lambda w: "/agreements/1/sign", {Role.applicant}),
    ("POST", lambda w: "/agreements/1/return", {Role.officer, Role.admin}),
    ("POST", lambda w: "/agreements/1/countersign", {Role.officer, Role.admin}),
    ("GET", lambda w: "/reports", {Role.officer, Role.admin}),
    ("GET", lambda w: "/reports/mine", {Role.applicant}),
    ("GET", lambda w: "/reports/1", {Role.applicant, Role.officer, Role.admin}),
    ("PUT", lambda w: "/reports/1", {Role.applicant}),
    ("POST", lambda w: "/reports/1/submit", {Role.applicant}),
    ("POST", lambda w: "/reports/1/accept", {Role.officer, Role.admin}),
    ("POST", lambda w: "/reports/1/return", {Role.officer, Role.admin}),
    ("PUT", lambda w: f"/editions/{w.round['edition_id']}/report-form", {Role.officer, Role.admin}),
]


def test_every_route_declares_a_permission(app: Litestar) -> None:
    undeclared = [
        (route.path, sorted(handler.http_methods) if hasattr(handler, "http_methods") else "asgi")
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if not isinstance(handler.opt.get("permission"), Permission)
        # Litestar's automatic OPTIONS responders carry no data; the guard still refuses them (fail closed).
        and getattr(handler, "http_methods", None) != {"OPTIONS"}
    ]
    assert undeclared == []


def test_openapi_documents_each_permission(app: Litestar) -> None:
    schema = app.openapi_schema.to_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "权限 Permission" in operation.get("description", ""), (method, path)


async def test_schema_and_docs_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/schema/openapi.json")).json()["openapi"].startswith("3.1")
    assert (await client.get("/schema/swagger")).status_code == 200


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=[f"{m} {i}" for i, (m, _, _) in enumerate(ROUTES)])
async def test_anonymous_callers_get_401(
    client: httpx.AsyncClient, world: World, method: str, path: Any, allowed: set[Role]
) -> None:
    response = await client.request(method, path(world), json={})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=[f"{m} {i}" for i, (m, _, _) in enumerate(ROUTES)])
async def test_roles_outside_the_permission_get_403(
    client: httpx.AsyncClient, world: World, method: str, path: Any, allowed: set[Role]
) -> None:
    for role in set(Role) - allowed:
        user = ROLE_USERS[role](world)
        response = await client.request(method, path(world), json={}, headers=user.headers)
        assert response.status_code == 403, (role, response.text)
        assert response.json()["code"] == "forbidden"


async def test_tampered_or_refresh_tokens_are_not_access_tokens(client: httpx.AsyncClient, world: World) -> None:
    token = world.applicant.headers["Authorization"]
    assert (await client.get("/auth/me", headers={"Authorization": token[:-2] + "xx"})).status_code == 401
    refresh = {"Authorization": f"Bearer {world.applicant.refresh_token}"}
    assert (await client.get("/auth/me", headers=refresh)).status_code == 401
    renewed = await client.post("/auth/refresh", json={"refresh_token": world.applicant.refresh_token})
    assert renewed.status_code == 200
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {renewed.json()['access_token']}"})
    assert me.json()["role"] == "applicant"


# --- objects outside the caller's scope look like missing objects (404) --------------------------------------


async def test_applicants_cannot_touch_other_organisations(client: httpx.AsyncClient, world: World) -> None:
    theirs = world.other_applicant.headers
    assert (await client.get(f"/applications/{world.draft_id}", headers=theirs)).status_code == 404
    assert (
        await client.patch(f"/applications/{world.draft_id}", json={"title": "篡改标题"}, headers=theirs)
    ).status_code == 404
    assert (await client.post(f"/applications/{world.draft_id}/submit", headers=theirs)).status_code == 404
    assert (await client.get(f"/organisations/{world.org_id}", headers=theirs)).status_code == 404
    on_behalf = await client.post(
        "/applications",
        json={"round_id": world.round["id"], "organisation_id": world.org_id, "title": "冒名申报"},
        headers=theirs,
    )
    assert on_behalf.status_code == 404
    mine = (await client.get("/applications/mine", headers=world.applicant.headers)).json()
    assert [a["id"] for a in mine] == [world.draft_id]


async def test_experts_see_only_their_own_assignments(client: httpx.AsyncClient, world: World) -> None:
    other = world.other_expert.headers
    assert (await client.get(f"/reviews/{world.assignment_id}", headers=other)).status_code == 404
    submit = await client.post(
        f"/reviews/{world.assignment_id}/submit",
        json={"scores": {"innovation": 1, "feasibility": 1}},
        headers=other,
    )
    assert submit.status_code == 404
    assert (await client.get("/reviews/mine", headers=other)).json() == []
    assert (await client.get(f"/applications/{world.submitted_id}", headers=world.expert.headers)).status_code == 404


async def test_district_officers_act_only_in_their_district(client: httpx.AsyncClient, world: World) -> None:
    changning, pudong = world.changning_officer.headers, world.pudong_officer.headers
    # A city-level programme and a pudong programme are both invisible to the changning officer.
    for path in (f"/rounds/{world.round['id']}/applications", f"/rounds/{world.pudong_round['id']}/applications"):
        assert (await client.get(path, headers=changning)).status_code == 404
    assert (await client.get(f"/rounds/{world.pudong_round['id']}/applications", headers=pudong)).status_code == 200
    assert (await client.get(f"/rounds/{world.round['id']}/applications", headers=pudong)).status_code == 404
    listed = (await client.get("/programmes", headers=pudong)).json()
    assert [p["id"] for p in listed] == [world.pudong_round["programme_id"]]
    edition = await client.post(
        f"/programmes/{world.pudong_round['programme_id']}/editions",
        json={"year": 2027, "title": "2027"},
        headers=changning,
    )
    assert edition.status_code == 404
    assign = await client.post(
        "/assignments",
        json={"application_id": world.pudong_application_id, "expert_id": world.expert.id},
        headers=changning,
    )
    assert assign.status_code == 404
    other_district = await client.post(
        "/programmes", json={"name": "跨区项目", "kind": "contest", "scope_district": "pudong"}, headers=changning
    )
    assert other_district.status_code == 403
    own = await client.post("/programmes", json={"name": "长宁项目", "kind": "matching"}, headers=changning)
    assert own.status_code == 201 and own.json()["scope_district"] == "changning"
    # City staff see every district.
    assert (
        await client.get(f"/rounds/{world.pudong_round['id']}/applications", headers=world.city_officer.headers)
    ).status_code == 200


async def test_experts_cannot_review_their_own_organisation(client: httpx.AsyncClient, world: World) -> None:
    from app.organisations.tables import OrganisationMember

    await OrganisationMember.insert(OrganisationMember(user=world.other_expert.id, organisation=world.other_org_id))
    response = await client.post(
        "/assignments",
        json={"application_id": world.submitted_id, "expert_id": world.other_expert.id},
        headers=world.city_officer.headers,
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict_of_interest"


def test_openapi_declares_bearer_auth_and_problem_responses(app: Litestar) -> None:
    schema = app.openapi_schema.to_schema()
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    award = schema["paths"]["/awards"]["post"]
    assert award["security"] == [{"BearerAuth": []}]
    assert {"401", "403", "404", "409", "422"} <= award["responses"].keys()
    assert "application/problem+json" in award["responses"]["422"]["content"]
    assert "security" not in schema["paths"]["/calls"]["get"]  # public
