"""The officer's list of a round's applications pages like every list (app/paging.py).

Issue 18 measured it returning all 2,000 applications of a round (13.6 MB) whatever the limit. Here: a round of 7,
read 3 at a time, then the bounds of ``limit``.
"""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from app.paging import MAX_LIMIT
from programmes.tables import Application
from tests import factories
from tests.factories import GOOD_ANSWERS

APPLICATIONS = 7


async def test_a_rounds_applications_come_a_page_at_a_time(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer)
    ids = []
    for n in range(APPLICATIONS):
        org_id, member = await factories.organisation()
        rows = await Application.insert(
            Application(
                round=call["id"], organisation=org_id, title=f"申报{n}", answers=GOOD_ANSWERS, created_by=member.id
            )
        ).returning(Application.id)
        ids.append(rows[0]["id"])

    seen: list[int] = []
    url: str | None = f"/rounds/{call['id']}/applications?limit=3"
    pages = []
    while url is not None:
        response = await client.get(url, headers=officer.headers)
        assert response.status_code == 200, response.text
        assert response.headers["X-Total-Count"] == str(APPLICATIONS)
        pages.append(len(response.json()))
        seen += [application["id"] for application in response.json()]
        next_link = response.headers.get("Link")
        assert (next_link is not None) == (response.headers["X-Has-More"] == "true")
        url = next_link.split(">", 1)[0].removeprefix("<") if next_link else None
    assert pages == [3, 3, 1]
    assert seen == sorted(ids)  # stable order by id, nothing twice, nothing missed

    offset = await client.get(
        f"/rounds/{call['id']}/applications", params={"limit": 2, "offset": 5}, headers=officer.headers
    )
    assert [a["id"] for a in offset.json()] == sorted(ids)[5:]
    too_many = await client.get(
        f"/rounds/{call['id']}/applications", params={"limit": MAX_LIMIT + 1}, headers=officer.headers
    )
    assert too_many.status_code == 422
