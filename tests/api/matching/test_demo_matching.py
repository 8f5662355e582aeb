"""The demo's 聚力计划 part, built through the services (app/site/demo/matching.py): two street accounts and a
street's demand list imported from xlsx and published (the rest of the path follows on branch i13-e-full)."""

from __future__ import annotations

import httpx
import pytest

from app.site.demo import load_demo
from programmes.matching.tables import Demand
from tests.factories.http import ok

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_publishes_a_streets_demand_list(client: httpx.AsyncClient) -> None:
    assert await load_demo() is True
    imported = await Demand.select(Demand.status, Demand.street).where(Demand.import_batch != "")
    assert len(imported) == 3 and {d["status"] for d in imported} == {"published"}
    assert {d["street"] for d in imported} == {"新华路街道"}
    for username in ("xinhua", "huamu"):
        login = await client.post("/auth/login", json={"username": username, "password": f"{username}-pass-2026"})
        assert login.status_code == 200, login.text
    assert len(ok(await client.get("/matching/demands"))) == 3
