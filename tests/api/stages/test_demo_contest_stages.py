"""The demo has a staged contest edition (app/site/demo/contest_stages.py): 区级推荐 → 初赛 → 复赛 → 决赛 in order,
entries carried from stage to stage, a finished roadshow, prizes confirmed and one resource introduction."""

from __future__ import annotations

import httpx
import pytest

from app.site.demo import load_demo
from programmes.prizes.tables import Prize
from programmes.resources.tables import ResourceIntroduction
from programmes.tables import Application, Edition, Round
from scoring.roadshow.tables import RoadshowSession
from tests.factories.http import ok

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_has_a_staged_contest_with_a_roadshow_prizes_and_a_resource_link(
    client: httpx.AsyncClient,
) -> None:
    assert await load_demo() is True
    [edition] = await Edition.select(Edition.id).where(Edition.title == "第八届（2024 年）")
    rounds = await Round.select(Round.id, Round.stage).where(Round.edition == edition["id"]).order_by(Round.position)
    assert [r["stage"] for r in rounds] == ["district_recommendation", "preliminary", "semifinal", "final"]
    # Entries carried stage to stage: 3 → 3 → 3 → 2, each later entry carried from the stage before.
    per_round = []
    for before, current in zip([None, *rounds], rounds, strict=False):
        entries = await Application.select(Application.carried_from, Application.status).where(
            Application.round == current["id"]
        )
        per_round.append(len(entries))
        if before is not None:
            sources = {
                r["id"] for r in await Application.select(Application.id).where(Application.round == before["id"])
            }
            assert all(e["carried_from"] in sources for e in entries)
    assert per_round == [3, 3, 3, 2]
    [session] = await RoadshowSession.select(RoadshowSession.status).where(RoadshowSession.round == rounds[-1]["id"])
    assert session["status"] == "ended"
    final_statuses = await Application.select(Application.status).where(Application.round == rounds[-1]["id"])
    assert {r["status"] for r in final_statuses} == {"awarded"}  # ranked, then awarded by the prizes
    prizes = await Prize.select(Prize.tier._.name.as_alias("tier"), Prize.award, Prize.rank).order_by(Prize.rank)
    assert [(p["tier"], p["rank"]) for p in prizes] == [("一等奖", 1), ("二等奖", 2)]
    assert all(p["award"] is not None for p in prizes)
    assert await ResourceIntroduction.count() == 1
    # The open data show the prizes.
    awards = ok(await client.get("/open-data/awards?limit=200"))
    assert {a["prize"] for a in awards if a["prize"]} == {"一等奖", "二等奖"}
