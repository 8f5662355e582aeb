"""The authz matrix through the pages, on the demo world (`make run`'s data): every portal page × every demo user.

- A page whose role the user lacks is the refusal page (403), or the login redirect without a session.
- A page about one object (an id in its path) shows it to a user exactly when the JSON API shows that object to the
  same user: page 200 ⇔ API 200, and every API refusal (403/404) is the page's uniform 404 — so the pages hold the
  API's scopes and no second copy of them. Each id parameter names the table its candidates come from and the API
  route that reads the same object (``OBJECT_ROUTES``); a new page with an id no entry knows fails here.
- Every unsafe page (POST) refuses a user of another role before its handler runs, changing nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from piccolo.table import Table

from app.auth.principal import Permission
from app.auth.tables import Role
from app.organisations.tables import Organisation
from app.portal.errors import NOT_FOUND
from app.portal.frame import PAGE_PERMISSION
from app.site.demo import DEMO_LOGINS, load_demo
from programmes.agreements.tables import Agreement
from programmes.camps.tables import Camp, CampMaterial, CampRegistration, CampSession
from programmes.incubation.tables import SupportedProject
from programmes.matching.tables import Demand, MatchingCase, MatchOrder, ServiceOffer
from programmes.matching.tables_delivery import DeliveryFile
from programmes.reports.tables import ProgressReport
from programmes.tables import Application, Round
from scoring.mentors.tables import Mentorship
from scoring.roadshow.tables import RoadshowSession
from scoring.tables import ReviewAssignment
from tests.factories.portal import csrf_token, portal_login
from tests.factories.world import row_counts

pytestmark = pytest.mark.usefixtures("db")

PARAM = re.compile(r"\{(\w+):\w+\}")
CANDIDATES_PER_TABLE = 8
# Who walks the matrix: one user of each role and a second of each role that owns things, plus no session at all.
USERS = ("sunshine", "greenshoots", "expert1", "expert2", "xinhua", "huamu", "officer", "changning", "admin")
PASSWORDS = {username: password for _, username, password in DEMO_LOGINS}
ROLES = {username: Role(role) for role, username, _ in DEMO_LOGINS}
# A page about an object the user may see can still refuse it in its state (a submitted application has no
# edit page): the workflow's refusal, never the uniform 404 that would hide the object.
STATE_REFUSALS = {409}


@dataclass(frozen=True)
class ObjectRoute:
    table: type[Table]
    api_path: str  # the JSON API route reading the same object, ``{id}`` for the page's id
    via: str | None = None  # a column of the row whose value the API route takes instead (a session's camp)


OBJECT_ROUTES: dict[str, ObjectRoute] = {
    "round_id": ObjectRoute(Round, "/calls/{id}"),
    "application_id": ObjectRoute(Application, "/applications/{id}"),
    "assignment_id": ObjectRoute(ReviewAssignment, "/reviews/{id}"),
    "demand_id": ObjectRoute(Demand, "/matching/demands/{id}"),
    "offer_id": ObjectRoute(ServiceOffer, "/matching/offers/{id}"),
    "order_id": ObjectRoute(MatchOrder, "/matching/orders/{id}"),
    "file_id": ObjectRoute(DeliveryFile, "/matching/delivery-files/{id}"),
    "case_id": ObjectRoute(MatchingCase, "/matching/cases/{id}"),
    "report_id": ObjectRoute(ProgressReport, "/reports/{id}"),
    "camp_id": ObjectRoute(Camp, "/camps/{id}"),
    "material_id": ObjectRoute(CampMaterial, "/camps/materials/{id}"),
    "registration_id": ObjectRoute(CampRegistration, "/camps/registrations/{id}"),
    "project_id": ObjectRoute(SupportedProject, "/incubation/projects/{id}"),
    "mentorship_id": ObjectRoute(Mentorship, "/mentors/mentorships/{id}"),
    "agreement_id": ObjectRoute(Agreement, "/agreements/{id}"),
    "organisation_id": ObjectRoute(Organisation, "/organisations/{id}/bank-accounts"),
}
# Where one parameter name means different objects on different pages.
PAGE_OBJECTS: dict[str, ObjectRoute] = {
    "/portal/camps/sessions/{session_id:int}/checkin": ObjectRoute(CampSession, "/camps/{id}", via="camp"),
    "/portal/camps/registrations/{registration_id:int}/certificate.pdf": ObjectRoute(
        CampRegistration, "/camps/registrations/{id}/certificate.pdf"
    ),
    "/portal/roadshow/{session_id:int}": ObjectRoute(RoadshowSession, "/roadshow-sessions/{id}/sheet"),
    "/portal/roadshow/{session_id:int}/stage": ObjectRoute(RoadshowSession, "/roadshow-sessions/{id}/sheet"),
}
# Pages with two ids: their pairs are walked by the test named here instead.
WALKED_ELSEWHERE = {
    "/portal/reviews/{assignment_id:int}/files/{attachment_id:int}": "tests/portal/test_portal_expert_decline_files.py",
    "/portal/applications/{application_id:int}/attachments/{attachment_id:int}": (
        "tests/portal/test_portal_attachments.py"
    ),
}
# Pages about an object whose API counterpart is not the parameter's default: the community's own demand (the
# public GET /matching/demands/{id} shows any published demand; its applicants list only to its own community).
PAGE_API: dict[str, str] = {
    "/portal/community/demands/{demand_id:int}": "/matching/demands/{id}/bids",
    "/portal/community/demands/{demand_id:int}/edit": "/matching/demands/{id}/bids",
    "/portal/community/demands/{demand_id:int}/recommendations": "/matching/demands/{id}/bids",
}


def _pages(app: Litestar) -> list[tuple[str, str, Permission]]:
    """(path, method, permission) of every portal page (the static files and CORS preflights are no pages)."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/portal") or route.path.startswith("/portal/static"):
            continue
        for handler in getattr(route, "route_handlers", []):
            permission = handler.opt.get(PAGE_PERMISSION)
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                assert isinstance(permission, Permission), route.path
                found.append((route.path, method, permission))
    return sorted(found, key=lambda page: (page[0], page[1]))


def _object_route(path: str) -> ObjectRoute | None | bool:
    """The object a page is about (None: no id in its path; False: an id the matrix does not know)."""
    names = PARAM.findall(path)
    if not names:
        return None
    assert len(names) == 1, f"{path}: list it in WALKED_ELSEWHERE with the test that walks its ids"
    return PAGE_OBJECTS.get(path) or OBJECT_ROUTES.get(names[0]) or False


async def _candidates(route: ObjectRoute) -> list[int]:
    key = route.table._meta.primary_key
    return [int(row[key._meta.name]) for row in await route.table.select(key).order_by(key).limit(CANDIDATES_PER_TABLE)]


async def _api_id(route: ObjectRoute, object_id: int) -> int:
    if route.via is None:
        return object_id
    key = route.table._meta.primary_key
    row = await route.table.select(route.table._meta.get_column_by_name(route.via)).where(key == object_id).first()
    assert row is not None
    return int(row[route.via])


def _allows(permission: Permission, username: str | None) -> bool:
    if permission.is_public:
        return True
    assert permission.roles is not None
    return username is not None and ROLES[username] in permission.roles


@pytest.fixture
async def sessions(app: Litestar) -> AsyncIterator[dict[str | None, httpx.AsyncClient]]:
    """A signed-in portal client and an API client with a bearer token, per demo user (None: no session)."""
    assert await load_demo() is True
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    clients: dict[str | None, httpx.AsyncClient] = {}
    try:
        for username in (None, *USERS):
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            clients[username] = client
            if username is not None:
                response = await portal_login(client, username, PASSWORDS[username])
                assert response.status_code == 303, (username, response.text[:300])
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()


async def _api_client(app: Litestar, username: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    login = await client.post("/auth/login", json={"username": username, "password": PASSWORDS[username]})
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return client


def _refusal(status: int, username: str | None, response: httpx.Response) -> str | None:
    """What is wrong with a refused page, or None when it refused as the guard must."""
    if username is None:
        if status == 303 and response.headers["location"].startswith("/portal/login"):
            return None
        return f"no session: {status}"
    return None if status == 403 else f"wrong role: {status}"


async def test_every_page_refuses_the_roles_it_does_not_serve_and_shows_objects_as_the_api_does(
    app: Litestar, sessions: dict[str | None, httpx.AsyncClient]
) -> None:
    pages = [
        (path, permission)
        for path, method, permission in _pages(app)
        if method == "GET" and path not in WALKED_ELSEWHERE
    ]
    routes = {path: _object_route(path) for path, _ in pages}
    unknown = sorted(path for path, route in routes.items() if route is False)
    assert unknown == [], f"give these pages' id an entry in OBJECT_ROUTES or PAGE_OBJECTS: {unknown}"
    candidates = {path: await _candidates(route) for path, route in routes.items() if isinstance(route, ObjectRoute)}
    api = {username: await _api_client(app, username) for username in USERS}
    problems: list[str] = []
    shown = 0
    try:
        for path, permission in pages:
            route = routes[path]
            ids: list[int | None] = list(candidates[path]) if isinstance(route, ObjectRoute) else [None]
            assert ids, f"the demo has no object for {path}"
            for username in (None, *USERS):
                for object_id in ids:
                    url = PARAM.sub(str(object_id), path) if object_id is not None else path
                    page = await sessions[username].get(url)
                    if not _allows(permission, username):
                        problem = _refusal(page.status_code, username, page)
                        if problem:
                            problems.append(f"{url} as {username}: {problem}")
                        continue
                    if object_id is None:
                        # A page may send a signed-in user on within the portal (login → home, 银行账户 → the
                        # one organisation's accounts), never to the login page.
                        target = page.headers.get("location", "")
                        if username and page.status_code == 303 and target.startswith("/portal/"):
                            if not target.startswith("/portal/login"):
                                continue
                        if page.status_code != 200:
                            problems.append(f"{url} as {username}: {page.status_code}")
                        continue
                    assert isinstance(route, ObjectRoute)
                    api_path = PAGE_API.get(path, route.api_path)
                    api_id = await _api_id(route, object_id)
                    client = api[username] if username else sessions[None]
                    answer = await client.get(api_path.format(id=api_id))
                    expected = {200, *STATE_REFUSALS} if answer.status_code == 200 else {404}
                    shown += page.status_code == 200
                    if page.status_code not in expected or (expected == {404} and NOT_FOUND not in page.text):
                        problems.append(f"{url} as {username}: page {page.status_code}, API {answer.status_code}")
    finally:
        for client in api.values():
            await client.aclose()
    assert problems == [], "\n".join(problems)
    assert shown > 0  # the matrix showed some object to its owner: a matrix of refusals alone would prove nothing
    await _unsafe_pages_refuse_other_roles(app, sessions)


async def _unsafe_pages_refuse_other_roles(app: Litestar, sessions: dict[str | None, httpx.AsyncClient]) -> None:
    """Every unsafe page refuses another role before its handler runs (the demo is loaded once for both walks)."""
    before = await row_counts()
    problems: list[str] = []
    for path, method, permission in _pages(app):
        if method == "GET" or permission.is_public:
            continue
        for username in USERS:
            if _allows(permission, username):
                continue
            client = sessions[username]
            token = await csrf_token(client, "/portal/")
            url = PARAM.sub("1", path)
            response = await client.request(method, url, data={"csrf_token": token})
            if response.status_code != 403:
                problems.append(f"{method} {url} as {username}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert await row_counts() == before


def test_the_matrix_walks_pages_of_every_portal_role(app: Litestar) -> None:
    served: set[Any] = set()
    for _, _, permission in _pages(app):
        served |= permission.roles or set()
    assert {Role.applicant, Role.expert} <= served
