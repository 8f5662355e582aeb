"""Membership under concurrency: the organisation row is locked, so "the last member stays" and "one membership per
account" hold however many officers click at once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from app.organisations.tables import OrganisationMember
from tests import factories
from tests.factories.world import World


async def test_60_concurrent_removals_leave_exactly_one_member(client: httpx.AsyncClient, world: World) -> None:
    org = world.org_id
    officer = world.changning_officer.headers
    for _ in range(59):
        colleague = await factories.user(Role.applicant)
        await OrganisationMember.insert(OrganisationMember(user=colleague.id, organisation=org))
    members = [
        r["user"]
        for r in await OrganisationMember.select(OrganisationMember.user).where(OrganisationMember.organisation == org)
    ]
    assert len(members) == 60

    responses = await asyncio.gather(
        *[client.delete(f"/organisations/{org}/members/{user_id}", headers=officer) for user_id in members]
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {204: 59, 409: 1}, statuses
    assert all(r.json()["code"] == "last_member" for r in responses if r.status_code == 409)
    assert await OrganisationMember.count().where(OrganisationMember.organisation == org) == 1
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.member_remove") == 59


async def test_50_concurrent_adds_of_one_account_make_one_membership(client: httpx.AsyncClient, world: World) -> None:
    org = world.org_id
    colleague = await factories.user(Role.applicant)
    body = {"username": colleague.principal.username}
    responses = await asyncio.gather(
        *[
            client.post(f"/organisations/{org}/members", json=body, headers=world.changning_officer.headers)
            for _ in range(50)
        ]
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 49}, statuses
    assert (
        await OrganisationMember.count().where(
            (OrganisationMember.organisation == org) & (OrganisationMember.user == colleague.id)
        )
        == 1
    )
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.member_add") == 1
