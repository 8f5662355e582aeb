"""Four-eyes on agreements: above SEEDBED_FOUR_EYES_AGREEMENT_FEN two different officers countersign, in turn."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asyncpg.exceptions import CheckViolationError

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from app.settings import get_settings
from programmes.agreements.tables import Agreement
from tests import factories
from tests.factories.funding import AMOUNT, funded, ok, tranche_statuses
from tests.factories.world import World, row_counts

CONCURRENCY = 50


@pytest.fixture
def limit() -> Iterator[Any]:
    """Lower the four-eyes amount below the funded project's 10,000 元 (the default is 10 万元)."""
    settings = get_settings()
    saved = settings.four_eyes_agreement_fen
    settings.four_eyes_agreement_fen = AMOUNT - 1
    yield settings
    settings.four_eyes_agreement_fen = saved


async def signed(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    project = await funded(client, world)
    await factories.verified_bank_account(world.org_id)
    sign = f"/agreements/{project['agreement_id']}/sign"
    ok(await client.post(sign, json={"signer_name": "王敏"}, headers=world.applicant.headers))
    return project


async def test_above_the_limit_a_second_officer_countersigns(
    client: httpx.AsyncClient, world: World, limit: Any
) -> None:
    project = await signed(client, world)
    url = f"/agreements/{project['agreement_id']}/countersign"
    second = await factories.user(Role.officer, District.changning)

    first = ok(await client.post(url, headers=world.changning_officer.headers))
    assert first["status"] == "countersigning" and first["first_countersigned_by"] == world.changning_officer.id
    assert first["countersigned_at"] is None
    assert await tranche_statuses(project["tranche_ids"]) == ["planned", "planned", "planned"]  # nothing payable yet

    before = await row_counts()
    same = await client.post(url, headers=world.changning_officer.headers)
    assert (same.status_code, same.json()["code"]) == (409, "four_eyes_same_officer")
    assert "另一名官员" in same.json()["detail"]
    assert await row_counts() == before
    assert (await client.post(url, headers=world.pudong_officer.headers)).status_code == 404

    effective = ok(await client.post(url, headers=second.headers))
    assert effective["status"] == "effective" and effective["countersigned_by"] == second.id
    assert effective["first_countersigned_by"] == world.changning_officer.id
    assert await tranche_statuses(project["tranche_ids"]) == ["released", "planned", "planned"]
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.object_type == "agreement")
        .order_by(AuditEntry.id)
    ]
    assert actions[-4:] == [
        "agreement.first_countersign",
        "agreement.four_eyes_requested",
        "agreement.second_countersign",
        "agreement.release_on_signing",
    ]


async def test_at_or_below_the_limit_one_countersignature_suffices(client: httpx.AsyncClient, world: World) -> None:
    settings = get_settings()
    saved, settings.four_eyes_agreement_fen = settings.four_eyes_agreement_fen, AMOUNT  # "above" is strict
    try:
        project = await signed(client, world)
        url = f"/agreements/{project['agreement_id']}/countersign"
        effective = ok(await client.post(url, headers=world.changning_officer.headers))
    finally:
        settings.four_eyes_agreement_fen = saved
    assert effective["status"] == "effective" and effective["first_countersigned_by"] is None


async def test_returning_or_reducing_voids_the_first_countersignature(
    client: httpx.AsyncClient, world: World, limit: Any
) -> None:
    project = await signed(client, world)
    agreement_id = project["agreement_id"]
    url = f"/agreements/{agreement_id}/countersign"
    ok(await client.post(url, headers=world.changning_officer.headers))

    returned = ok(
        await client.post(
            f"/agreements/{agreement_id}/return", json={"reason": "签署人有误"}, headers=world.changning_officer.headers
        )
    )
    assert returned["status"] == "draft" and returned["first_countersigned_by"] is None
    ok(
        await client.post(
            f"/agreements/{agreement_id}/sign", json={"signer_name": "李华"}, headers=world.applicant.headers
        )
    )
    again = ok(await client.post(url, headers=world.changning_officer.headers))
    assert again["status"] == "countersigning"

    # Reducing the award while it awaits the second countersignature sends the amended text back for signing.
    reduced = await client.post(
        f"/awards/{project['award']['id']}/reduce",
        json={"amount_fen": AMOUNT - 100_000, "reason": "预算调整"},
        headers=world.changning_officer.headers,
    )
    assert reduced.status_code == 200, reduced.text
    row = await Agreement.select(Agreement.status, Agreement.first_countersigned_by).where(Agreement.id == agreement_id)
    assert row == [{"status": "draft", "first_countersigned_by": None}]


async def test_the_database_refuses_both_countersignatures_by_one_officer(
    client: httpx.AsyncClient, world: World, limit: Any
) -> None:
    project = await signed(client, world)
    agreement_id = project["agreement_id"]
    officer = world.changning_officer.id
    with pytest.raises(CheckViolationError, match="without a first"):
        await Agreement.update({Agreement.status: "countersigning"}).where(Agreement.id == agreement_id)
    ok(await client.post(f"/agreements/{agreement_id}/countersign", headers=world.changning_officer.headers))
    with pytest.raises(CheckViolationError, match="both countersignatures by one officer"):
        await Agreement.update({Agreement.status: "effective", Agreement.countersigned_by: officer}).where(
            Agreement.id == agreement_id
        )
    with pytest.raises(CheckViolationError, match="without an officer's countersignature"):
        await Agreement.update({Agreement.status: "effective"}).where(Agreement.id == agreement_id)
    row = await Agreement.select(Agreement.status).where(Agreement.id == agreement_id).first()
    assert row == {"status": "countersigning"}


async def test_50_concurrent_countersignatures_by_two_officers_make_it_effective_once(
    client: httpx.AsyncClient, world: World, limit: Any
) -> None:
    project = await signed(client, world)
    url = f"/agreements/{project['agreement_id']}/countersign"
    second = await factories.user(Role.officer, District.changning)
    officers = [world.changning_officer.headers, second.headers]

    responses = await asyncio.gather(*[client.post(url, headers=officers[n % 2]) for n in range(CONCURRENCY)])

    # One first countersignature, one second (by the other officer); everyone else 409.
    assert Counter(r.status_code for r in responses) == {200: 2, 409: CONCURRENCY - 2}
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
        "four_eyes_same_officer",
        "transition_invalid_state",
    }
    row = await Agreement.select().where(Agreement.id == project["agreement_id"]).first()
    assert row is not None and row["status"] == "effective"
    assert {row["first_countersigned_by"], row["countersigned_by"]} == {world.changning_officer.id, second.id}
    assert await AuditEntry.count().where(AuditEntry.action == "agreement.second_countersign") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "tranche.release") == 1
    assert await tranche_statuses(project["tranche_ids"]) == ["released", "planned", "planned"]
