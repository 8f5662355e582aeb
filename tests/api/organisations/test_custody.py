"""财务代管 end to end through the API: a filed group registers choosing its street's service centre from the public
list; the centre creates and submits the group's application, signs its agreement and is paid; the group's members
follow and edit the draft; nobody outside the custody sees any of it."""

from __future__ import annotations

import io
from typing import Any

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from app.notifications import Notification
from app.organisations.tables import Organisation, OrganisationType
from app.reference import District
from programmes.tables import Application, SimulatedTransfer
from scoring.assignments.schemas import AssignmentCreate
from scoring.assignments.service import assign
from scoring.reviews.reviewing import submit as submit_review
from scoring.reviews.schemas import ReviewSubmit
from tests import factories
from tests.factories.applications import PDF
from tests.factories.http import ok, problem
from tests.factories.money import budget_line, close_world_round
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts

STREET = "新华路街道"


def group_registration(centre_id: int | None, **changes: Any) -> dict[str, Any]:
    n = next(factories._counter)
    return {
        "username": f"group{n}",
        "password": "a-long-secret",
        "email": f"group{n}@example.org",
        "mobile": f"137{n:08d}",
        "name": "新华路楼组睦邻队",
        "org_type": "filed_community_group",
        "district": "changning",
        "custodian_id": centre_id,
        **changes,
    }


async def designated_centre(client: httpx.AsyncClient, world: World, street: str = STREET) -> tuple[int, Any]:
    """A social service institution the district officer designates, through the API, as its street's centre."""
    centre_id, centre_member = await factories.organisation(District.changning, name=f"{street}社会组织服务中心")
    designated = ok(
        await client.put(
            f"/organisations/{centre_id}/service-centre",
            json={"street": street, "reason": "区民政局服务中心名单"},
            headers=world.changning_officer.headers,
        )
    )
    assert designated["serves_street"] == street
    return centre_id, centre_member


async def registered_group(client: httpx.AsyncClient, centre_id: int) -> tuple[int, factories.User]:
    group = ok(await client.post("/organisations/register", json=group_registration(centre_id)), 201)
    return int(group["id"]), await factories.user_for(group["id"])


async def test_a_group_applies_through_its_centre_and_the_centre_is_paid(
    client: httpx.AsyncClient, world: World
) -> None:
    centre_id, centre = await designated_centre(client, world)
    centre_account = await factories.verified_bank_account(centre_id, account_number="6216610000000099")
    # The public list (no login) is where the group finds its centre.
    listed = ok(await client.get("/service-centres", params={"district": "changning", "street": STREET}))
    assert listed == [{"id": centre_id, "name": f"{STREET}社会组织服务中心", "district": "changning", "street": STREET}]
    assert ok(await client.get("/service-centres", params={"district": "pudong"})) == []

    group_id, group = await registered_group(client, centre_id)
    read = ok(await client.get(f"/organisations/{group_id}", headers=group.headers))
    assert read["custodian_id"] == centre_id and read["street"] == STREET and read["credit_code"] is None
    # The centre's members list the groups in its custody and read them.
    assert [g["id"] for g in ok(await client.get(f"/organisations/{centre_id}/groups", headers=centre.headers))] == [
        group_id
    ]
    ok(await client.get(f"/organisations/{group_id}", headers=centre.headers))

    body = {"round_id": world.round["id"], "organisation_id": group_id, "title": "楼组睦邻"}
    # The group cannot apply on its own: the centre makes the application (created_by a centre member).
    problem(
        await client.post("/applications", json=body, headers=group.headers), 403, "filed_group_applies_via_custodian"
    )
    draft = ok(await client.post("/applications", json=body, headers=centre.headers), 201)
    assert (draft["organisation_id"], draft["applied_via_id"]) == (group_id, centre_id)
    row = await Application.select(Application.created_by).where(Application.id == draft["id"]).first()
    assert row == {"created_by": centre.id}
    # The group's members follow and edit the draft; only the centre submits.
    path = f"/applications/{draft['id']}"
    ok(await client.patch(path, json={"answers": factories.GOOD_ANSWERS}, headers=group.headers))
    assert ok(await client.get(path, headers=group.headers))["answers"] == factories.GOOD_ANSWERS
    attached = await client.post(
        f"{path}/attachments", files={"file": ("plan.pdf", io.BytesIO(PDF), "application/pdf")}, headers=group.headers
    )
    assert attached.status_code == 201, attached.text
    problem(await client.post(f"{path}/submit", headers=group.headers), 403, "filed_group_applies_via_custodian")
    problem(
        await client.post(f"{path}/withdraw", json={"reason": "团队自行撤回"}, headers=group.headers),
        403,
        "filed_group_applies_via_custodian",
    )
    submitted = ok(await client.post(f"{path}/submit", headers=centre.headers))
    assert submitted["status"] == "submitted" and submitted["eligibility_outcome"] == "eligible"
    assert [a["id"] for a in ok(await client.get("/applications/mine", headers=centre.headers))] == [draft["id"]]
    assert [a["id"] for a in ok(await client.get("/applications/mine", headers=group.headers))] == [draft["id"]]
    for user in (group, centre):  # both hear about the status change
        assert await Notification.count().where((Notification.user == user.id) & (Notification.kind == "status_change"))

    assignment = await assign(
        world.city_officer.principal, AssignmentCreate(application_id=draft["id"], expert_id=world.expert.id)
    )
    await submit_review(
        world.expert.principal, assignment.id, ReviewSubmit(scores={"innovation": 80, "feasibility": 80})
    )
    await close_world_round(world)
    line_id = await budget_line(world, 100_000)
    award = ok(
        await client.post(
            "/awards",
            json={"application_id": draft["id"], "budget_line_id": line_id, "amount_fen": 30_000},
            headers=world.city_officer.headers,
        ),
        201,
    )
    assert award["payee_id"] == centre_id
    agreement = f"/agreements/{award['agreement_id']}"
    ok(await client.get(agreement, headers=group.headers))  # the group follows its agreement
    problem(
        await client.post(f"{agreement}/sign", json={"signer_name": "王队长"}, headers=group.headers),
        403,
        "agreement_signed_by_custodian",
    )
    signed = ok(await client.post(f"{agreement}/sign", json={"signer_name": "李主任"}, headers=centre.headers))
    assert signed["status"] == "signed" and signed["payee_id"] == centre_id
    effective = ok(await client.post(f"{agreement}/countersign", headers=world.city_officer.headers))
    assert effective["payee_account_id"] == centre_account
    [tranche] = award["tranches"]
    batch = ok(
        await client.post(
            "/payment-batches",
            json={"title": "团队拨付", "tranche_ids": [tranche["id"]]},
            headers=world.city_officer.headers,
        ),
        201,
    )
    # Approved by another person than the one who built the batch (四眼原则).
    ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=world.admin.headers))
    await run_worker_burst()
    [transfer] = await SimulatedTransfer.select()
    assert transfer["payee_name"] == f"{STREET}社会组织服务中心"
    assert (transfer["account_number"], transfer["amount_fen"]) == ("6216610000000099", 30_000)


async def test_nobody_outside_the_custody_sees_or_acts(client: httpx.AsyncClient, world: World) -> None:
    centre_id, centre = await designated_centre(client, world)
    other_centre_id, other_centre = await designated_centre(client, world, "天山路街道")
    group_id, group = await registered_group(client, centre_id)
    draft = ok(
        await client.post(
            "/applications",
            json={"round_id": world.round["id"], "organisation_id": group_id, "title": "楼组睦邻"},
            headers=centre.headers,
        ),
        201,
    )
    path = f"/applications/{draft['id']}"
    before = await row_counts()
    for stranger in (other_centre, world.other_applicant, world.applicant):
        h = stranger.headers
        problem(await client.get(f"/organisations/{centre_id}/groups", headers=h), 404, "not_found")
        problem(await client.get(f"/organisations/{group_id}", headers=h), 404, "not_found")
        problem(await client.get(path, headers=h), 404, "not_found")
        problem(await client.patch(path, json={"title": "越权"}, headers=h), 404, "not_found")
        problem(await client.post(f"{path}/submit", headers=h), 404, "not_found")
        upload = await client.post(f"{path}/attachments", files={"file": ("x.pdf", io.BytesIO(PDF))}, headers=h)
        problem(upload, 404, "not_found")
        created = await client.post(
            "/applications",
            json={"round_id": world.round["id"], "organisation_id": group_id, "title": "越权"},
            headers=h,
        )
        problem(created, 404, "not_found")
        assert draft["id"] not in [a["id"] for a in ok(await client.get("/applications/mine", headers=h))]
    # The other centre sees only its own (empty) custody; the group member does not see the centre's list.
    assert ok(await client.get(f"/organisations/{other_centre_id}/groups", headers=other_centre.headers)) == []
    problem(await client.get(f"/organisations/{centre_id}/groups", headers=group.headers), 404, "not_found")
    # Staff: in the centre's district only; experts have no such route.
    problem(
        await client.get(f"/organisations/{centre_id}/groups", headers=world.pudong_officer.headers), 404, "not_found"
    )
    assert len(ok(await client.get(f"/organisations/{centre_id}/groups", headers=world.changning_officer.headers))) == 1
    assert (await client.get(f"/organisations/{centre_id}/groups", headers=world.expert.headers)).status_code == 403
    designation = {"street": "虹桥街道", "reason": "越权"}
    problem(
        await client.put(
            f"/organisations/{other_centre_id}/service-centre", json=designation, headers=world.pudong_officer.headers
        ),
        404,
        "not_found",
    )
    for applicant in (centre, group):
        response = await client.put(
            f"/organisations/{centre_id}/service-centre", json=designation, headers=applicant.headers
        )
        assert response.status_code == 403
    assert await row_counts() == before


async def test_designation_rules(client: httpx.AsyncClient, world: World) -> None:
    centre_id, _ = await designated_centre(client, world)
    rival_id, _ = await factories.organisation(District.changning)
    association_id, _ = await factories.organisation(District.changning, OrganisationType.social_association)
    officer = world.changning_officer.headers
    before = await row_counts()
    same_street = {"street": STREET, "reason": "重复指定"}
    problem(
        await client.put(f"/organisations/{rival_id}/service-centre", json=same_street, headers=officer),
        409,
        "service_centre_exists",
    )
    wrong_type = await client.put(
        f"/organisations/{association_id}/service-centre",
        json={"street": "华阳路街道", "reason": "类型不符"},
        headers=officer,
    )
    assert problem(wrong_type, 422, "service_centre_type")["errors"][0]["field"] == "street"
    await registered_group(client, centre_id)
    before = await row_counts()
    revoke = {"street": None, "reason": "撤销"}
    problem(
        await client.put(f"/organisations/{centre_id}/service-centre", json=revoke, headers=officer),
        409,
        "custodian_has_groups",
    )
    assert await row_counts() == before
    # An institution with no groups in custody can be un-designated; the change is audited with its reason.
    ok(
        await client.put(
            f"/organisations/{rival_id}/service-centre",
            json={"street": "华阳路街道", "reason": "指定"},
            headers=officer,
        )
    )
    undone = ok(await client.put(f"/organisations/{rival_id}/service-centre", json=revoke, headers=officer))
    assert undone["serves_street"] is None
    audited = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.reason)
        .where((AuditEntry.action == "organisation.designate_service_centre") & (AuditEntry.object_id == rival_id))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    assert [(a["before"], a["after"], a["reason"]) for a in audited] == [
        ({"serves_street": None}, {"serves_street": "华阳路街道"}, "指定"),
        ({"serves_street": "华阳路街道"}, {"serves_street": None}, "撤销"),
    ]


async def test_registration_picks_a_designated_centre_of_its_street(client: httpx.AsyncClient, world: World) -> None:
    centre_id, _ = await designated_centre(client, world)
    plain_id, _ = await factories.organisation(District.changning)  # a social service institution, not designated
    pudong_centre, _ = await factories.organisation(District.pudong)
    await factories.designate_centre(pudong_centre, "陆家嘴街道")
    before = await row_counts()
    for custodian_id, changes, code, field in (
        (None, {}, "custodian_required", "custodian_id"),
        (plain_id, {}, "custodian_invalid", "custodian_id"),
        (999_999, {}, "custodian_invalid", "custodian_id"),
        (pudong_centre, {}, "custodian_other_district", "custodian_id"),
        (centre_id, {"street": "天山路街道"}, "custodian_other_street", "street"),
    ):
        refused = await client.post("/organisations/register", json=group_registration(custodian_id, **changes))
        body = problem(refused, 422, code)
        assert body["errors"][0]["field"] == field
    assert await row_counts() == before
    same = ok(await client.post("/organisations/register", json=group_registration(centre_id, street=STREET)), 201)
    assert same["street"] == STREET and same["custodian_id"] == centre_id


async def test_concurrent_drafts_for_one_group_make_one_application(client: httpx.AsyncClient, world: World) -> None:
    import asyncio

    centre_id, centre = await designated_centre(client, world)
    group_id, _ = await registered_group(client, centre_id)
    body = {"round_id": world.round["id"], "organisation_id": group_id, "title": "楼组睦邻"}
    responses = await asyncio.gather(
        *[client.post("/applications", json=body, headers=centre.headers) for _ in range(50)]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 49
    assert await Application.count().where(Application.organisation == group_id) == 1


async def test_concurrent_designations_of_one_street_leave_one_centre(client: httpx.AsyncClient, world: World) -> None:
    import asyncio

    ids = [(await factories.organisation(District.changning))[0] for _ in range(50)]
    responses = await asyncio.gather(
        *[
            client.put(
                f"/organisations/{i}/service-centre",
                json={"street": "江苏路街道", "reason": "并发指定"},
                headers=world.changning_officer.headers,
            )
            for i in ids
        ]
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 49
    assert await Organisation.count().where(Organisation.serves_street == "江苏路街道") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.designate_service_centre") == 1


async def test_screening_keeps_the_custody_when_the_creator_leaves_the_centre(
    client: httpx.AsyncClient, world: World
) -> None:
    centre_id, centre = await designated_centre(client, world)
    colleague = await factories.user(Role.applicant)
    officer = world.changning_officer.headers
    ok(
        await client.post(
            f"/organisations/{centre_id}/members", json={"username": colleague.principal.username}, headers=officer
        ),
        201,
    )
    group_id, _ = await registered_group(client, centre_id)
    body = {
        "round_id": world.round["id"],
        "organisation_id": group_id,
        "title": "楼组睦邻",
        "answers": factories.GOOD_ANSWERS,
    }
    draft = ok(await client.post("/applications", json=body, headers=centre.headers), 201)
    ok(await client.post(f"/applications/{draft['id']}/submit", headers=colleague.headers))
    # The member who made the draft leaves the centre; the application was still made through the custodian.
    removed = await client.delete(f"/organisations/{centre_id}/members/{centre.id}", headers=officer)
    assert removed.status_code == 204, removed.text
    [result] = ok(
        await client.post(
            "/applications/screen", json={"application_ids": [draft["id"]]}, headers=world.city_officer.headers
        )
    )
    assert result["eligibility_outcome"] == "eligible", result
    problem(await client.get(f"/applications/{draft['id']}", headers=centre.headers), 404, "not_found")


async def test_registrations_racing_the_end_of_a_designation_never_orphan_a_group(
    client: httpx.AsyncClient, world: World
) -> None:
    import asyncio

    centre_id, _ = await designated_centre(client, world)
    registrations = [client.post("/organisations/register", json=group_registration(centre_id)) for _ in range(50)]
    revoke = client.put(
        f"/organisations/{centre_id}/service-centre",
        json={"street": None, "reason": "撤销"},
        headers=world.changning_officer.headers,
    )
    responses = await asyncio.gather(*registrations[:25], revoke, *registrations[25:])
    revoked = responses[25]
    registered = [r for r in responses[:25] + responses[26:] if r.status_code == 201]
    assert {r.status_code for r in responses[:25] + responses[26:]} <= {201, 422}
    in_custody = await Organisation.count().where(Organisation.custodian == centre_id)
    assert in_custody == len(registered)
    if revoked.status_code == 200:  # a centre that is no longer one has no group in its custody
        assert in_custody == 0
    else:
        problem(revoked, 409, "custodian_has_groups")
        assert in_custody > 0
