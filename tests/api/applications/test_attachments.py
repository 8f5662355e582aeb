"""Attachments: declared types checked by content, size limits, safe names, and who may download."""

from __future__ import annotations

import io

import httpx

from app.settings import get_settings
from programmes.attachments.tables import Attachment
from programmes.tables import Round
from tests.factories.applications import PDF, stored_files
from tests.factories.world import World, row_counts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 64


async def upload(client: httpx.AsyncClient, world: World, name: str, content: bytes, application_id: int | None = None):
    return await client.post(
        f"/applications/{application_id or world.draft_id}/attachments",
        files={"file": (name, io.BytesIO(content), "application/octet-stream")},
        headers=world.applicant.headers,
    )


async def test_upload_list_and_download(client: httpx.AsyncClient, world: World) -> None:
    response = await upload(client, world, "项目申报书.pdf", PDF)
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["filename"] == "项目申报书.pdf" and attachment["content_type"] == "application/pdf"
    listed = await client.get(f"/applications/{world.draft_id}/attachments", headers=world.applicant.headers)
    assert [a["id"] for a in listed.json()] == [attachment["id"]]
    for who in (world.applicant, world.city_officer):
        downloaded = await client.get(f"/attachments/{attachment['id']}", headers=who.headers)
        assert downloaded.status_code == 200 and downloaded.content == PDF
        assert "filename*=UTF-8''" in downloaded.headers["content-disposition"]


async def test_outsiders_cannot_see_or_download(client: httpx.AsyncClient, world: World) -> None:
    attachment = (await upload(client, world, "a.pdf", PDF)).json()
    for who in (world.other_applicant, world.pudong_officer, world.expert):
        assert (await client.get(f"/attachments/{attachment['id']}", headers=who.headers)).status_code == 404
        listed = await client.get(f"/applications/{world.draft_id}/attachments", headers=who.headers)
        assert listed.status_code == 404


async def test_assigned_experts_download_only_in_rounds_that_are_not_blind(
    client: httpx.AsyncClient, world: World
) -> None:
    from scoring.tables import ReviewAssignment

    # world.assignment_id: world.expert reviews world.submitted_id, which belongs to other_applicant.
    await Round.update({Round.blind: True}).where(Round.id == world.round["id"])
    await ReviewAssignment.update({ReviewAssignment.status: "assigned"}).where(
        ReviewAssignment.id == world.assignment_id
    )
    row = await Attachment.insert(
        Attachment(
            application=world.submitted_id,
            storage_key="applications/0/test",
            filename="x.pdf",
            content_type="application/pdf",
            size_bytes=3,
            sha256="0" * 64,
        )
    ).returning(Attachment.id)
    listed = await client.get(f"/applications/{world.submitted_id}/attachments", headers=world.expert.headers)
    assert listed.status_code == 404  # blind: attachments may identify the applicant
    # Once review has started the database refuses to change ``blind`` (round_blind_guard): take the assignment
    # out, open the round up, and put the same assignment back.
    [assignment] = await ReviewAssignment.select().where(ReviewAssignment.id == world.assignment_id)
    await ReviewAssignment.delete().where(ReviewAssignment.id == world.assignment_id)
    await Round.update({Round.blind: False}).where(Round.id == world.round["id"])
    await ReviewAssignment.insert(ReviewAssignment(**assignment))
    listed = await client.get(f"/applications/{world.submitted_id}/attachments", headers=world.expert.headers)
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [row[0]["id"]]
    other = await client.get(f"/applications/{world.submitted_id}/attachments", headers=world.other_expert.headers)
    assert other.status_code == 404


async def test_wrong_type_disguised_by_extension_is_refused(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    for name, content, code in (
        ("申报书.pdf", PNG, "attachment_type_mismatch"),
        ("申报书.pdf", EXE, "attachment_type_mismatch"),
        ("setup.exe", EXE, "attachment_type_not_allowed"),
        ("notes.pdf", "纯文本内容".encode(), "attachment_unknown_content"),
    ):
        response = await upload(client, world, name, content)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == code
        assert response.json()["errors"][0]["field"] == "file"
    assert await row_counts() == before
    assert stored_files() == []


async def test_undeclared_type_is_refused(client: httpx.AsyncClient, world: World) -> None:
    await Round.update({Round.attachment_types: ["pdf"]}).where(Round.id == world.round["id"])
    response = await upload(client, world, "photo.png", PNG)
    assert response.status_code == 422 and response.json()["code"] == "attachment_type_not_allowed"


async def test_oversize_files_and_totals_are_refused_and_leave_nothing(client: httpx.AsyncClient, world: World) -> None:
    await Round.update({Round.max_attachment_bytes: 1024, Round.max_application_attachment_bytes: 1500}).where(
        Round.id == world.round["id"]
    )
    before = await row_counts()
    too_big = await upload(client, world, "big.pdf", PDF + b"0" * 1024)
    assert too_big.status_code == 413 and too_big.json()["code"] == "attachment_too_large"
    assert await row_counts() == before and stored_files() == []
    assert (await upload(client, world, "one.pdf", PDF + b"0" * 800)).status_code == 201
    over_total = await upload(client, world, "two.pdf", PDF + b"0" * 800)
    assert over_total.status_code == 413 and over_total.json()["code"] == "attachment_total_too_large"
    assert await Attachment.count() == 1 and len(stored_files()) == 1


async def test_path_traversal_names_are_display_names_only(client: httpx.AsyncClient, world: World) -> None:
    for name, expected in (
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\win.pdf", "win.pdf"),
        ("/abs/申报.pdf", "申报.pdf"),
    ):
        response = await upload(client, world, name, PDF)
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == expected
    root = get_settings().storage_dir.resolve()
    assert all(path.resolve().is_relative_to(root) for path in stored_files())
    keys = [r["storage_key"] for r in await Attachment.select(Attachment.storage_key)]
    assert all(key.startswith(f"applications/{world.draft_id}/") and ".." not in key for key in keys)


async def test_no_uploads_or_deletes_after_submission(client: httpx.AsyncClient, world: World) -> None:
    response = await upload(client, world, "late.pdf", PDF, application_id=world.submitted_id)
    # world.submitted_id belongs to other_applicant: for this caller it does not exist.
    assert response.status_code == 404
    late = await client.post(
        f"/applications/{world.submitted_id}/attachments",
        files={"file": ("late.pdf", io.BytesIO(PDF), "application/pdf")},
        headers=world.other_applicant.headers,
    )
    assert late.status_code == 409 and late.json()["code"] == "application_not_editable"


async def test_delete_removes_row_and_file(client: httpx.AsyncClient, world: World) -> None:
    attachment = (await upload(client, world, "a.pdf", PDF)).json()
    assert len(stored_files()) == 1
    assert (
        await client.delete(f"/attachments/{attachment['id']}", headers=world.other_applicant.headers)
    ).status_code == 404
    assert (await client.delete(f"/attachments/{attachment['id']}", headers=world.applicant.headers)).status_code == 204
    assert await Attachment.count() == 0 and stored_files() == []
