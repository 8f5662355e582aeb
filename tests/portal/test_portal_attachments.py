"""附件 and 评审反馈 pages of an application: the round's rules shown before upload, upload / list / download /
delete through the API's service, its Chinese errors next to the file input with nothing stored on error; feedback
only after the 公示 ends; another organisation's application is the uniform 404, other roles the refusal page."""

from __future__ import annotations

from typing import Any

import httpx

from app.auth.tables import Role
from app.portal.errors import FORBIDDEN, NOT_FOUND
from programmes.attachments.tables import Attachment
from tests import factories
from tests.factories import applications
from tests.factories.applications import PDF, stored_files
from tests.factories.feedback import PRIVATE, SHARED, reviewed_notice
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts


async def _draft_world(client: httpx.AsyncClient, **round_options: Any) -> dict[str, Any]:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, **round_options)
    org_id, member = await factories.organisation()
    other_id, other = await factories.organisation()
    mine = await applications.draft(client, member, org_id, call["id"])
    theirs = await applications.draft(client, other, other_id, call["id"])
    await signed_in(client, member.principal.username)
    return {"member": member, "mine": mine, "theirs": theirs, "other": other, "call": call}


async def _upload(
    client: httpx.AsyncClient, application_id: int, name: str, content: bytes, token: str | None = None
) -> httpx.Response:
    path = f"/portal/applications/{application_id}/attachments"
    token = token or await csrf_token(client, path)
    return await client.post(path, data={"csrf_token": token}, files={"file": (name, content, "application/pdf")})


async def test_the_rules_are_shown_before_upload_and_the_input_accepts_only_them(client: httpx.AsyncClient) -> None:
    world = await _draft_world(client, attachment_types=["pdf", "png"], max_attachment_mb=5)
    page = await client.get(f"/portal/applications/{world['mine']['id']}/attachments")

    assert page.status_code == 200
    assert "PDF 文档（.pdf）" in page.text and "PNG 图片（.png）" in page.text and "Word" not in page.text
    assert "单个文件不超过 <strong>5 MB</strong>" in page.text and "合计不超过 <strong>100 MB</strong>" in page.text
    assert 'accept=".pdf,.png"' in page.text and 'data-max-bytes="5242880"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and "还没有上传附件" in page.text
    detail = await client.get(f"/portal/applications/{world['mine']['id']}")
    assert f'href="/portal/applications/{world["mine"]["id"]}/attachments"' in detail.text


async def test_upload_list_download_and_delete(client: httpx.AsyncClient) -> None:
    world = await _draft_world(client)
    application_id = world["mine"]["id"]

    uploaded = await _upload(client, application_id, "项目预算表.pdf", PDF)
    assert uploaded.status_code == 303, uploaded.text
    page = await client.get(f"/portal/applications/{application_id}/attachments")
    assert "已上传附件：项目预算表.pdf" in page.text and "项目预算表.pdf" in page.text and "已上传（1 个）" in page.text
    [row] = await Attachment.select().where(Attachment.application == application_id)

    download = await client.get(f"/portal/applications/{application_id}/attachments/{row['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "filename*=UTF-8''" in download.headers["content-disposition"]

    token = await csrf_token(client, f"/portal/applications/{application_id}/attachments")
    deleted = await client.post(
        f"/portal/applications/{application_id}/attachments/{row['id']}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert await Attachment.count().where(Attachment.application == application_id) == 0
    assert "附件已删除" in (await client.get(f"/portal/applications/{application_id}/attachments")).text


async def test_too_big_wrong_type_and_no_file_are_refused_in_chinese_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    world = await _draft_world(client, max_attachment_mb=1)
    application_id = world["mine"]["id"]
    token = await csrf_token(client, f"/portal/applications/{application_id}/attachments")
    before, files_before = await row_counts(), stored_files()

    too_big = await _upload(client, application_id, "大文件.pdf", PDF + b"0" * (1024 * 1024), token)
    assert too_big.status_code == 413
    assert 'id="file-error" role="alert">文件超过大小上限（1 MB），请压缩或拆分后上传<' in too_big.text
    disguised = await _upload(client, application_id, "照片.pdf", b"MZ\x90\x00" + b"\x00" * 100, token)
    assert disguised.status_code == 422 and "内容实际是Windows 可执行程序" in disguised.text
    unknown = await _upload(client, application_id, "说明.txt", "纯文本".encode(), token)
    assert unknown.status_code == 422 and "无法识别文件内容" in unknown.text
    path = f"/portal/applications/{application_id}/attachments"
    empty = await client.post(path, data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 422 and ">请选择要上传的文件<" in empty.text

    assert await row_counts() == before and stored_files() == files_before


async def test_once_submitted_the_files_stay_and_the_page_says_so(client: httpx.AsyncClient) -> None:
    world = await _draft_world(client)
    application_id = world["mine"]["id"]
    assert (await _upload(client, application_id, "章程.pdf", PDF)).status_code == 303
    [row] = await Attachment.select(Attachment.id).where(Attachment.application == application_id)
    member = world["member"]
    assert (await client.post(f"/applications/{application_id}/submit", headers=member.headers)).status_code == 200
    page = await client.get(f"/portal/applications/{application_id}/attachments")
    assert "申报已提交，附件不能再上传或删除" in page.text and "上传附件</button>" not in page.text
    token = await csrf_token(client, f"/portal/applications/{application_id}/attachments")
    before = await row_counts()

    refused = await client.post(
        f"/portal/applications/{application_id}/attachments/{row['id']}/delete", data={"csrf_token": token}
    )
    late = await _upload(client, application_id, "补充.pdf", PDF, token)

    assert refused.status_code == 409 and "申报已提交，不能再删除附件" in refused.text
    assert late.status_code == 409 and "申报已提交，不能再上传附件" in late.text
    assert await row_counts() == before


async def test_another_organisations_files_are_the_404_and_other_roles_are_refused(client: httpx.AsyncClient) -> None:
    world = await _draft_world(client)
    theirs = world["theirs"]["id"]
    other_file = await client.post(
        f"/applications/{theirs}/attachments", files={"file": ("a.pdf", PDF)}, headers=world["other"].headers
    )
    assert other_file.status_code == 201
    file_id = other_file.json()["id"]
    token = await csrf_token(client, f"/portal/applications/{world['mine']['id']}/attachments")
    before = await row_counts()

    for response in (
        await client.get(f"/portal/applications/{theirs}/attachments"),
        await client.get(f"/portal/applications/{theirs}/attachments/{file_id}"),
        await client.get(f"/portal/applications/{world['mine']['id']}/attachments/{file_id}"),  # wrong parent
        await _upload(client, theirs, "x.pdf", PDF, token),
        await _upload(client, theirs, "", b"", token),
        await client.post(f"/portal/applications/{theirs}/attachments/{file_id}/delete", data={"csrf_token": token}),
        await client.post(
            f"/portal/applications/{world['mine']['id']}/attachments/{file_id}/delete", data={"csrf_token": token}
        ),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text, response.request.url
    assert await row_counts() == before

    for role in (Role.expert, Role.community):
        client.cookies.clear()
        await signed_in(client, (await factories.user(role)).principal.username)
        refused = await client.get(f"/portal/applications/{theirs}/attachments")
        assert refused.status_code == 403 and FORBIDDEN in refused.text


async def test_feedback_shows_nothing_before_the_notice_ends_then_the_aggregates(client: httpx.AsyncClient) -> None:
    notice = await reviewed_notice(client)
    application_id = notice.ranking[0]
    await signed_in(client, notice.members[application_id].principal.username)

    early = await client.get(f"/portal/applications/{application_id}/feedback")
    assert early.status_code == 409 and "期满后方可查看评审反馈" in early.text
    assert SHARED not in early.text and PRIVATE not in early.text and "创新性" not in early.text

    await factories.end_notice_period(notice.publication_id)
    page = await client.get(f"/portal/applications/{application_id}/feedback")
    assert page.status_code == 200
    assert SHARED in page.text and PRIVATE not in page.text
    assert "创新性" in page.text and "82.0" in page.text and "80–84" in page.text  # 80 and 84: mean and range
    assert "前 10%" in page.text
    for expert in notice.experts:
        assert expert.principal.username not in page.text

    other = next(a for a in notice.ranking if a != application_id)
    refused = await client.get(f"/portal/applications/{other}/feedback")
    assert refused.status_code == 404 and NOT_FOUND in refused.text
    client.cookies.clear()
    await signed_in(client, notice.experts[0].principal.username)
    assert (await client.get(f"/portal/applications/{application_id}/feedback")).status_code == 403
