"""A fast-tracked draft goes in only after the organisation accepted the invitation: submitting it while invited,
declined or withdrawn is 409 ``fasttrack_not_accepted`` (zh-CN message naming why) and changes nothing; accepted,
it submits as usual. An ordinary draft of the same round is not affected. Submit is the only path that submits an
application (the API route, the demo and the factories all call ``programmes.applications.service.submit``; no admin
form or bulk action has a submit step: it is the applicant's)."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from programmes.tables import Application, Award
from programmes.workflows import APPLICATION
from tests import factories
from tests.factories.http import ok, problem
from tests.factories.money import budget_line
from tests.factories.world import World

BASE = "/fasttrack/invitations"
MAPPING = [
    {"contest_field": "summary", "support_field": "summary"},
    {"contest_field": "beneficiaries", "support_field": "beneficiaries"},
    {"contest_field": "contact_person", "support_field": "contact_person"},
]


async def _invite(client: httpx.AsyncClient, world: World, round_id: int | None = None) -> tuple[dict[str, int], int]:
    if round_id is None:
        line = await budget_line(world, 1_000_000)
        await Award.insert(
            Award(application=world.submitted_id, budget_line=line, amount_fen=50_000, payee=world.other_org_id)
        )
        round_id = int((await factories.contest_round(world.city_officer, kind="support_plan"))["id"])
    body = {"origin_application_id": world.submitted_id, "round_id": round_id, "mapping": MAPPING}
    return ok(await client.post(BASE, json=body, headers=world.city_officer.headers), 201), round_id


async def _status(application_id: int) -> str:
    row = await Application.select(Application.status).where(Application.id == application_id).first()
    assert row is not None
    return str(row["status"])


async def _submit(client: httpx.AsyncClient, world: World, application_id: int) -> httpx.Response:
    return await client.post(f"/applications/{application_id}/submit", headers=world.other_applicant.headers)


async def test_an_invited_draft_is_refused_until_accepted(client: httpx.AsyncClient, world: World) -> None:
    invitation, _ = await _invite(client, world)
    draft = invitation["application_id"]
    audits = await AuditEntry.count()
    body = problem(await _submit(client, world, draft), 409, "fasttrack_not_accepted")
    assert body["detail"] == "该申报书由直通邀请预填，请先接受邀请再提交"
    assert await _status(draft) == "draft" and await AuditEntry.count() == audits  # nothing changed
    problem(await _submit(client, world, draft), 409, "fasttrack_not_accepted")  # still, every time
    ok(await client.post(f"{BASE}/{invitation['id']}/accept", headers=world.other_applicant.headers), 201)
    assert ok(await _submit(client, world, draft))["status"] == "submitted"
    # Returned for revision and resubmitted: the accepted invitation still lets it in.
    await Application.update({Application.status: "returned"}).where(Application.id == draft)
    assert APPLICATION.has("returned", "applicant_edits")
    assert ok(await _submit(client, world, draft))["status"] == "submitted"


async def test_a_declined_invitations_draft_is_refused(client: httpx.AsyncClient, world: World) -> None:
    invitation, _ = await _invite(client, world)
    ok(
        await client.post(
            f"{BASE}/{invitation['id']}/decline", json={"reason": "本年度已饱和"}, headers=world.other_applicant.headers
        ),
        201,
    )
    body = problem(await _submit(client, world, invitation["application_id"]), 409, "fasttrack_not_accepted")
    assert body["detail"] == "已婉拒直通邀请，预填的申报书不能提交"
    assert await _status(invitation["application_id"]) == "withdrawn"


async def test_a_withdrawn_invitations_draft_is_refused(client: httpx.AsyncClient, world: World) -> None:
    invitation, round_id = await _invite(client, world)
    url = f"{BASE}/{invitation['id']}/withdraw"
    ok(await client.post(url, json={"reason": "轮次调整"}, headers=world.city_officer.headers), 201)
    body = problem(await _submit(client, world, invitation["application_id"]), 409, "fasttrack_not_accepted")
    assert body["detail"] == "直通邀请已被撤回，预填的申报书不能提交"
    assert await _status(invitation["application_id"]) == "withdrawn"
    # Invited again into the same round: the new draft follows its own invitation.
    again, _ = await _invite(client, world, round_id)
    problem(await _submit(client, world, again["application_id"]), 409, "fasttrack_not_accepted")


async def test_an_ordinary_draft_is_not_affected(client: httpx.AsyncClient, world: World) -> None:
    await _invite(client, world)  # a fast-track exists in the database, for another organisation
    await Application.update({Application.answers: factories.GOOD_ANSWERS}).where(Application.id == world.draft_id)
    submitted = ok(await client.post(f"/applications/{world.draft_id}/submit", headers=world.applicant.headers))
    assert submitted["status"] == "submitted"
