"""The demo has one 沪社星耀 project graduated 优秀 through a graduation round with two submitted (blind) reviews, and
replicated by another organisation in another district (app/site/demo/graduation.py)."""

from __future__ import annotations

import httpx
import pytest

from app.site.demo import load_demo
from programmes.incubation.tables import Replication, SupportedProject
from programmes.kinds import RoundStage
from programmes.tables import Application
from scoring.tables import ReviewAssignment
from tests.factories.http import ok

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_has_a_graduated_practice_replicated_elsewhere(client: httpx.AsyncClient) -> None:
    assert await load_demo() is True
    [project] = await SupportedProject.select().where(SupportedProject.status == "excellent").output(load_json=True)
    evaluation = project["evaluation"]
    assert evaluation["blind"] is True and len(evaluation["scores"]) == 2 == evaluation["reviews_required"]
    entry = (
        await Application.select(Application.carried_from, Application.round._.stage.as_alias("stage"))
        .where(Application.id == evaluation["entry_id"])
        .first()
    )
    assert entry == {"carried_from": project["application"], "stage": RoundStage.graduation}
    submitted = await ReviewAssignment.count().where(
        (ReviewAssignment.application == evaluation["entry_id"]) & (ReviewAssignment.status == "submitted")
    )
    assert submitted == 2
    [copy] = await Replication.select().where(Replication.origin == project["id"])
    assert copy["status"] == "approved" and copy["district"] == "pudong" != project["scope_district"]
    assert copy["organisation"] != project["organisation"]
    practice = ok(await client.get(f"/incubation/practices/{project['id']}"))
    assert practice["outcome"] == "excellent" and practice["districts"][0]["district"] == "pudong"
