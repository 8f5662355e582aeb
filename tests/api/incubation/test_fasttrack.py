"""Fast-track (直通): an officer invites a contest winner into an open 沪社星耀 round with a checked field mapping;
the pre-filled draft is linked to its origin; the organisation accepts (and submits as usual) or declines; one
invitation per winner and round, even under 50 concurrent invitations; scope answers 404."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.attachments.service import storage
from programmes.attachments.tables import Attachment
from programmes.fasttrack.service import origin_of
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.storage import new_key
from programmes.tables import Application, Award
from scoring.assignments.schemas import AssignmentCreate
from scoring.assignments.service import assign
from tests import factories
from tests.factories.http import ok, problem, refused
from tests.factories.money import budget_line
from tests.factories.world import World

BASE = "/fasttrack/invitations"
MAPPING = [
    {"contest_field": "summary", "support_field": "summary"},
    {"contest_field": "beneficiaries", "support_field": "beneficiaries"},
    {"contest_field": "contact_person", "support_field": "contact_person"},
]


async def _winner(world: World) -> int:
    """The world's submitted contest application (of the pudong organisation), with an award."""
    line = await budget_line(world, 1_000_000)
    await Award.insert(
        Award(application=world.submitted_id, budget_line=line, amount_fen=50_000, payee=world.other_org_id)
    )
    return world.submitted_id


async def _support_round(world: World, **options: Any) -> int:
    return int((await factories.contest_round(world.city_officer, kind="support_plan", **options))["id"])


def _refused_at(response: httpx.Response, code: str, field: str) -> None:
    """422 with ``code`` on exactly ``field`` (``refused`` compares only the first segment of a path)."""
    body = problem(response, 422, code)
    assert any(e["field"] == field and e["code"] == code for e in body["errors"]), body


def _body(origin: int, round_id: int, mapping: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"origin_application_id": origin, "round_id": round_id, "mapping": mapping or MAPPING}


async def test_invite_prefills_a_linked_draft_that_the_organisation_accepts_and_submits(
    client: httpx.AsyncClient, world: World
) -> None:
    origin = await _winner(world)
    round_id = await _support_round(world)
    invitation = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    assert invitation["status"] == "invited" and invitation["origin_application_id"] == origin
    draft = (
        await Application.select().where(Application.id == invitation["application_id"]).first().output(load_json=True)
    )
    assert draft is not None and draft["status"] == "draft" and draft["round"] == round_id
    assert (
        draft["answers"] == factories.GOOD_ANSWERS
    )  # every mapped answer, the identifying one into an identifying field
    notices = ok(await client.get("/notifications/mine", headers=world.other_applicant.headers))
    assert any("直通" in n["title"] for n in notices)
    # The organisation sees its invitation and the origin; another organisation and another district do not.
    mine = ok(await client.get(BASE, headers=world.other_applicant.headers))
    assert [i["id"] for i in mine] == [invitation["id"]]
    assert ok(await client.get(BASE, headers=world.applicant.headers)) == []
    assert ok(await client.get(BASE, headers=world.pudong_officer.headers)) == []
    url = f"{BASE}/{invitation['id']}"
    problem(await client.get(url, headers=world.applicant.headers), 404, "not_found")
    problem(await client.get(url, headers=world.pudong_officer.headers), 404, "not_found")
    problem(await client.post(f"{url}/accept", headers=world.applicant.headers), 404, "not_found")
    origin_url = f"/fasttrack/applications/{invitation['application_id']}/origin"
    seen = ok(await client.get(origin_url, headers=world.other_applicant.headers))
    assert seen["origin_application_id"] == origin and seen["award_amount_fen"] == 50_000
    assert ok(await client.get(origin_url, headers=world.city_officer.headers))["origin_title"] == "已提交申报"
    problem(await client.get(origin_url, headers=world.applicant.headers), 404, "not_found")
    # A reviewer of a blind round learns nothing, not even that there is an origin; an open round shows it.
    assert await origin_of(invitation["application_id"], blind=True) is None
    assert (await origin_of(invitation["application_id"], blind=False)) is not None
    accepted = ok(await client.post(f"{url}/accept", headers=world.other_applicant.headers), 201)
    assert accepted["status"] == "accepted" and accepted["answered_at"] is not None
    problem(await client.post(f"{url}/accept", headers=world.other_applicant.headers), 409, "transition_invalid_state")
    submitted = ok(
        await client.post(f"/applications/{invitation['application_id']}/submit", headers=world.other_applicant.headers)
    )
    assert submitted["status"] == "submitted"


async def test_decline_withdraws_the_draft_and_allows_a_new_invitation(client: httpx.AsyncClient, world: World) -> None:
    origin = await _winner(world)
    round_id = await _support_round(world)
    invitation = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    url = f"{BASE}/{invitation['id']}"
    refused(
        await client.post(f"{url}/decline", json={"reason": ""}, headers=world.other_applicant.headers),
        422,
        "validation_failed",
        "reason",
    )
    declined = ok(
        await client.post(f"{url}/decline", json={"reason": "本年度项目已饱和"}, headers=world.other_applicant.headers),
        201,
    )
    assert declined["status"] == "declined" and declined["reason"] == "本年度项目已饱和"
    draft = await Application.select(Application.status).where(Application.id == invitation["application_id"]).first()
    assert draft is not None and draft["status"] == "withdrawn"


async def test_officer_withdraws_an_unanswered_invitation(client: httpx.AsyncClient, world: World) -> None:
    origin = await _winner(world)
    round_id = await _support_round(world)
    invitation = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    url = f"{BASE}/{invitation['id']}/withdraw"
    problem(
        await client.post(url, json={"reason": "轮次调整"}, headers=world.other_applicant.headers), 403, "forbidden"
    )
    problem(await client.post(url, json={"reason": "轮次调整"}, headers=world.pudong_officer.headers), 404, "not_found")
    withdrawn = ok(await client.post(url, json={"reason": "轮次调整"}, headers=world.city_officer.headers), 201)
    assert withdrawn["status"] == "withdrawn"
    # Invited again, the organisation accepts and submits the draft: the officer can no longer withdraw it.
    again = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    ok(await client.post(f"{BASE}/{again['id']}/accept", headers=world.other_applicant.headers), 201)
    ok(await client.post(f"/applications/{again['application_id']}/submit", headers=world.other_applicant.headers))
    problem(
        await client.post(
            f"{BASE}/{again['id']}/withdraw", json={"reason": "轮次调整"}, headers=world.city_officer.headers
        ),
        409,
        "invitation_draft_submitted",
    )


async def test_bad_mappings_and_bad_origins_are_refused_with_the_field(client: httpx.AsyncClient, world: World) -> None:
    round_id = await _support_round(world)
    headers = world.city_officer.headers
    # Not a winner yet (no award).
    refused(
        await client.post(BASE, json=_body(world.submitted_id, round_id), headers=headers),
        422,
        "origin_not_winner",
        "origin_application_id",
    )
    origin = await _winner(world)
    unknown = [{"contest_field": "nope", "support_field": "summary"}]
    _refused_at(
        await client.post(BASE, json=_body(origin, round_id, unknown), headers=headers),
        "mapping_unknown_source",
        "mapping.0.contest_field",
    )
    unknown_target = [{"contest_field": "summary", "support_field": "missing.field"}]
    _refused_at(
        await client.post(BASE, json=_body(origin, round_id, unknown_target), headers=headers),
        "mapping_unknown_target",
        "mapping.0.support_field",
    )
    mismatch = [{"contest_field": "summary", "support_field": "beneficiaries"}]
    body = problem(
        await client.post(BASE, json=_body(origin, round_id, mismatch), headers=headers), 422, "mapping_type_mismatch"
    )
    assert body["errors"][0]["field"] == "mapping.0.support_field" and "类型不一致" in body["errors"][0]["message"]
    # An answer hidden from blind reviewers (联系人) may not land in a field they see.
    exposed = [{"contest_field": "contact_person", "support_field": "summary"}]
    _refused_at(
        await client.post(BASE, json=_body(origin, round_id, exposed), headers=headers),
        "mapping_identifying_exposed",
        "mapping.0.support_field",
    )
    # A contest round is not a support-plan round; a support-plan application is not a contest origin.
    refused(
        await client.post(BASE, json=_body(origin, world.round["id"]), headers=headers),
        422,
        "round_not_support_plan",
        "round_id",
    )
    bad_path = [{"contest_field": "summary; drop", "support_field": "summary"}]
    refused(
        await client.post(BASE, json=_body(origin, round_id, bad_path), headers=headers),
        422,
        "validation_failed",
        "mapping",
    )
    # Scope: a district officer cannot reach the city's winner or round; applicants may not invite.
    problem(
        await client.post(BASE, json=_body(origin, round_id), headers=world.pudong_officer.headers), 404, "not_found"
    )
    problem(await client.post(BASE, json=_body(origin, round_id), headers=world.applicant.headers), 403, "forbidden")
    assert await FastTrackInvitation.count() == 0


async def test_fifty_concurrent_invitations_of_one_winner_make_one(client: httpx.AsyncClient, world: World) -> None:
    origin = await _winner(world)
    round_id = await _support_round(world)
    officers = [world.city_officer, world.admin] + [await factories.user(Role.officer) for _ in range(3)]
    responses = await asyncio.gather(
        *(
            client.post(BASE, json=_body(origin, round_id), headers=officers[n % len(officers)].headers)
            for n in range(50)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {"invitation_exists", "application_exists"}
    assert await FastTrackInvitation.count() == 1
    assert await Application.count().where(Application.round == round_id) == 1


async def test_a_district_programme_winner_is_invited_by_its_district_officer(
    client: httpx.AsyncClient, world: World
) -> None:
    line = await budget_line(world, 1_000_000)
    await Award.insert(
        Award(application=world.pudong_application_id, budget_line=line, amount_fen=1, payee=world.other_org_id)
    )
    pudong_support = await factories.contest_round(world.pudong_officer, district=District.pudong, kind="support_plan")
    body = _body(world.pudong_application_id, int(pudong_support["id"]))
    problem(await client.post(BASE, json=body, headers=world.changning_officer.headers), 404, "not_found")
    made = ok(await client.post(BASE, json=body, headers=world.pudong_officer.headers), 201)
    assert ok(await client.get(BASE, headers=world.pudong_officer.headers))[0]["id"] == made["id"]
    assert ok(await client.get(BASE, headers=world.changning_officer.headers)) == []


@pytest.mark.parametrize("blind", [False, True])
async def test_a_reviewer_sees_the_origin_unless_the_round_is_blind(
    client: httpx.AsyncClient, world: World, blind: bool
) -> None:
    origin = await _winner(world)
    round_id = await _support_round(world, blind=blind)
    invitation = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    application_id = invitation["application_id"]
    ok(await client.post(f"{BASE}/{invitation['id']}/accept", headers=world.other_applicant.headers), 201)
    ok(await client.post(f"/applications/{application_id}/submit", headers=world.other_applicant.headers))
    assignment = await assign(
        world.city_officer.principal, AssignmentCreate(application_id=application_id, expert_id=world.other_expert.id)
    )
    seen = ok(await client.get(f"/reviews/{assignment.id}/origin", headers=world.other_expert.headers))
    view = ok(await client.get(f"/reviews/{assignment.id}", headers=world.other_expert.headers))
    if blind:
        # Nothing: no origin, no contact person (mapped into an identifying field), no organisation.
        assert seen is None and "contact_person" not in view["answers"] and view["organisation_name"] is None
    else:
        assert seen["origin_application_id"] == origin and seen["origin_title"] == "已提交申报"
    problem(await client.get(f"/reviews/{assignment.id}/origin", headers=world.expert.headers), 404, "not_found")


async def test_files_the_support_round_accepts_are_carried_as_copies(client: httpx.AsyncClient, world: World) -> None:
    origin = await _winner(world)
    files = {"plan.pdf": ("application/pdf", b"%PDF-1.4 carried"), "photo.heic": ("image/heic", b"not allowed")}
    for name, (mime, content) in files.items():
        key = new_key(origin)
        stored = await storage().save(key, content)
        await Attachment.insert(
            Attachment(
                application=origin,
                storage_key=key,
                filename=name,
                content_type=mime,
                size_bytes=stored.size,
                sha256=stored.sha256,
            )
        )
    round_id = await _support_round(world, attachment_types=["pdf", "docx"])
    invitation = ok(await client.post(BASE, json=_body(origin, round_id), headers=world.city_officer.headers), 201)
    carried = await Attachment.select().where(Attachment.application == invitation["application_id"])
    assert [c["filename"] for c in carried] == ["plan.pdf"]  # HEIC is not a kind the round accepts
    original = await Attachment.select().where(Attachment.application == origin).order_by(Attachment.id).first()
    assert original is not None and carried[0]["storage_key"] != original["storage_key"]
    assert carried[0]["sha256"] == original["sha256"]
    listed = ok(
        await client.get(
            f"/applications/{invitation['application_id']}/attachments", headers=world.other_applicant.headers
        )
    )
    assert [a["filename"] for a in listed] == ["plan.pdf"]
