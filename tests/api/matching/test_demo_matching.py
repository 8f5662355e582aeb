"""The demo shows 聚力计划's whole path: a street's list → session → matching → 接单 → delivery → evaluation → case
→ replication, built through the services (app/demo_matching.py)."""

from __future__ import annotations

import httpx
import pytest

from app.site.demo import load_demo
from programmes.matching.tables import (
    Demand,
    DemandBid,
    MatchingCase,
    MatchOrder,
    OfferVersion,
    OrderEvaluation,
    SessionPair,
    SessionUnmatched,
)
from programmes.matching.tables_delivery import DeliveryFile
from tests.factories.http import ok

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_walks_the_whole_path(client: httpx.AsyncClient) -> None:
    assert await load_demo() is True
    imported = await Demand.select(Demand.id, Demand.status).where(Demand.import_batch != "").order_by(Demand.id)
    assert len(imported) == 3 and all(d["status"] in ("published", "matched") for d in imported)
    order, waiting = await MatchOrder.select(MatchOrder.status, MatchOrder.session).order_by(MatchOrder.id)
    assert order["status"] == "evaluated" and order["session"] is not None
    # The portal's community journey: a delivered order the street has still to confirm.
    assert waiting == {"status": "in_delivery", "session": None}
    [case] = ok(await client.get("/matching/cases"))
    assert case["beneficiaries"] == 60 and len(case["photo_ids"]) == 1 and case["replications"] == 1
    lineage = ok(await client.get(f"/matching/cases/{case['id']}/lineage"))
    assert lineage["replications"] == []  # the replication is still the community's draft
    [copy] = await Demand.select(Demand.street, Demand.status).where(Demand.source_case == case["id"])
    assert copy == {"street": "花木街道", "status": "draft"}
    assert await MatchingCase.count() == 1
    # Every matching table has a row to show in the admin (the browser test opens one of each).
    for table in (DemandBid, OfferVersion, SessionPair, SessionUnmatched, DeliveryFile, OrderEvaluation):
        assert await table.count() >= 1, table
    login = await client.post("/auth/login", json={"username": "xinhua", "password": "xinhua-pass-2026"})
    assert login.status_code == 200, login.text
