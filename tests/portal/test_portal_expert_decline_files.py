"""The expert declines with a declared conflict (a confirmation page, the reason kinds in Chinese, the API's service:
the conflict recorded, the application refilled, the assignment gone from the list), and opens the application's
files only where the round allows — a blind round's page, list and file address reveal nothing of the applicant."""

from __future__ import annotations

import httpx

from app.portal.errors import NOT_FOUND
from app.portal.review_decline import CONFLICT_KINDS
from programmes.attachments.tables import Attachment
from programmes.workflows.review import ReviewAssignmentStatus
from scoring.tables import ConflictOfInterest, ReviewAssignment
from tests.factories.applications import PDF
from tests.factories.expert_portal import FILE_NAME, ReviewWorld, revealed, review_world
from tests.factories.portal import csrf_token, signed_in


async def _as(client: httpx.AsyncClient, world: ReviewWorld, n: int) -> int:
    expert = world.experts[n]
    client.cookies.clear()
    await signed_in(client, expert.principal.username)
    return world.mine[expert.id]


async def _status(assignment_id: int) -> str:
    row = await ReviewAssignment.select(ReviewAssignment.status).where(ReviewAssignment.id == assignment_id).first()
    assert row is not None
    return str(row["status"])


async def test_a_declared_conflict_is_confirmed_recorded_and_the_task_leaves_the_list(
    client: httpx.AsyncClient,
) -> None:
    world = await review_world(client, blind=True)
    mine = await _as(client, world, 0)
    path = f"/portal/reviews/{mine}/decline"
    assert f'href="{path}"' in (await client.get(f"/portal/reviews/{mine}")).text

    confirm = await client.get(path)
    assert confirm.status_code == 200 and "不能撤销" in confirm.text and "确认回避" in confirm.text
    assert all(text in confirm.text for text in CONFLICT_KINDS.values()) and revealed(world, confirm) == []
    token = await csrf_token(client, path)

    missing = await client.post(path, data={"csrf_token": token, "detail": "我认识该项目负责人"})
    assert missing.status_code == 422 and "请选择回避原因" in missing.text and 'id="kind-error"' in missing.text
    assert await _status(mine) == ReviewAssignmentStatus.assigned and await ConflictOfInterest.count() == 0

    declined = await client.post(path, data={"csrf_token": token, "kind": "employment", "detail": "本人任其理事"})
    assert declined.status_code == 303 and declined.headers["location"] == "/portal/reviews"
    assert revealed(world, declined) == []
    assert await _status(mine) == ReviewAssignmentStatus.declined
    conflict = await ConflictOfInterest.select().first()
    assert conflict is not None and conflict["expert"] == world.experts[0].id
    assert conflict["reason"] == f"{CONFLICT_KINDS['employment']}：本人任其理事"
    # Refilled from the pool: the third expert now holds the application.
    assert (
        await ReviewAssignment.count().where(
            (ReviewAssignment.expert == world.experts[2].id)
            & (ReviewAssignment.status == ReviewAssignmentStatus.assigned)
        )
        == 1
    )
    listed = await client.get("/portal/reviews")
    assert "已申报回避" in listed.text and f'href="/portal/reviews/{mine}"' not in listed.text
    assert "共 0 项" in listed.text


async def test_a_submitted_or_another_experts_assignment_cannot_be_declined(client: httpx.AsyncClient) -> None:
    world = await review_world(client, blind=True)
    other = world.mine[world.experts[1].id]
    mine = await _as(client, world, 0)
    token = await csrf_token(client, f"/portal/reviews/{mine}/decline")

    for response in (
        await client.get(f"/portal/reviews/{other}/decline"),
        await client.post(f"/portal/reviews/{other}/decline", data={"csrf_token": token, "kind": "relative"}),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text
    assert await _status(other) == ReviewAssignmentStatus.assigned

    review = f"/portal/reviews/{mine}"
    scores = {"score.innovation": "80", "score.feasibility": "80"}
    assert (await client.post(review, data={"csrf_token": token, "action": "submit", **scores})).status_code == 303
    assert "不能申报回避" in (await client.get(f"{review}/decline")).text
    refused = await client.post(f"{review}/decline", data={"csrf_token": token, "kind": "relative"})
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert await _status(mine) == ReviewAssignmentStatus.submitted and await ConflictOfInterest.count() == 0


async def test_an_open_round_lists_and_serves_the_files_to_the_assigned_expert(client: httpx.AsyncClient) -> None:
    world = await review_world(client, blind=False)
    mine = await _as(client, world, 0)
    attachment = await Attachment.select(Attachment.id).first()
    assert attachment is not None
    address = f"/portal/reviews/{mine}/files/{attachment['id']}"

    page = await client.get(f"/portal/reviews/{mine}")
    assert FILE_NAME in page.text and f'href="{address}"' in page.text

    download = await client.get(address)
    assert download.status_code == 200 and download.content == PDF
    assert (
        download.headers["content-type"] == "application/pdf"
        and "attachment" in download.headers["content-disposition"]
    )
    other = world.mine[world.experts[1].id]
    wrong = await client.get(f"/portal/reviews/{other}/files/{attachment['id']}")  # another expert's assignment
    assert wrong.status_code == 404 and NOT_FOUND in wrong.text


async def test_a_blind_rounds_pages_and_file_addresses_reveal_nothing_of_the_applicant(
    client: httpx.AsyncClient,
) -> None:
    world = await review_world(client, blind=True)
    mine = await _as(client, world, 0)
    attachment = await Attachment.select(Attachment.id).first()
    assert attachment is not None

    listed = await client.get("/portal/reviews")
    page = await client.get(f"/portal/reviews/{mine}")
    served = await client.get(f"/portal/reviews/{mine}/files/{attachment['id']}")

    assert listed.status_code == 200 and page.status_code == 200
    assert "不向评审专家提供" in page.text and "/files/" not in page.text
    assert served.status_code == 404 and NOT_FOUND in served.text and PDF not in served.content
    for response in (listed, page, served):
        assert revealed(world, response) == [], response.url
