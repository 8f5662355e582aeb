"""申报单位 filling in an application through the pages: 开始申报 from a call, the rendered form, 保存草稿 and
autosave through the PATCH service, 提交 via the summary, 撤回 with a confirmation. Errors change nothing; another
organisation's draft is the uniform 404; a submitted application can no longer be edited."""

from __future__ import annotations

from typing import Any

import httpx

from app.auth.tables import Role
from app.portal.errors import NOT_FOUND
from programmes.tables import Application
from tests import factories
from tests.factories import applications
from tests.factories.forms import WIDGET_ANSWERS, WIDGET_FORM, posted
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts


async def _world(client: httpx.AsyncClient) -> tuple[dict[str, Any], int, factories.User, dict[str, Any]]:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, form_schema=WIDGET_FORM)
    org_id, member = await factories.organisation()
    draft = await applications.draft(client, member, org_id, call["id"], answers={})
    return call, org_id, member, draft


async def _stored(application_id: int) -> dict[str, Any]:
    row = (
        await Application.select(Application.answers, Application.title, Application.status)
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return dict(row)


async def _post_form(client: httpx.AsyncClient, path: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    token = await csrf_token(client, path if path.endswith("/edit") else "/portal/")
    body = [("csrf_token", token), *[(k, v) for k, v in pairs if k != "csrf_token"]]
    return await client.post(path, content=str(httpx.QueryParams(body)), headers=_FORM)


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _filled(title: str = "社区睦邻计划", **answers: Any) -> list[tuple[str, str]]:
    from app.portal.forms import render_form

    return [("__title", title), *posted(render_form(WIDGET_FORM, {**WIDGET_ANSWERS, **answers}))]


async def test_an_applicant_starts_a_draft_from_the_call_page(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(officer, form_schema=WIDGET_FORM)
    org_id, member = await factories.organisation()
    page = await client.get(f"/portal/calls/{call['id']}")
    assert "登录</a>后即可在线填写申报表" in page.text  # a visitor is asked to sign in
    await signed_in(client, member.principal.username)
    page = await client.get(f"/portal/calls/{call['id']}")
    assert f'action="/portal/calls/{call["id"]}/start"' in page.text and "开始申报" in page.text

    before = await row_counts()
    token = await csrf_token(client, f"/portal/calls/{call['id']}")
    short = await client.post(f"/portal/calls/{call['id']}/start", data={"csrf_token": token, "title": "短"})
    assert short.status_code == 422 and 'id="title-error"' in short.text
    assert await row_counts() == before

    started = await client.post(f"/portal/calls/{call['id']}/start", data={"csrf_token": token, "title": "银龄助餐"})
    assert started.status_code == 303
    row = await Application.select(Application.id, Application.organisation).where(Application.title == "银龄助餐")
    assert [r["organisation"] for r in row] == [org_id]
    assert started.headers["location"] == f"/portal/applications/{row[0]['id']}/edit"
    again = await client.post(f"/portal/calls/{call['id']}/start", data={"csrf_token": token, "title": "第二份"})
    assert again.status_code == 409 and "本单位在该轮次（赛道）已有申报" in again.text


async def test_saving_a_draft_stores_exactly_what_a_json_client_would(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    path = f"/portal/applications/{draft['id']}/edit"
    page = await client.get(path)
    assert page.status_code == 200 and 'data-autosave-url="' in page.text and "/portal/static/form.js" in page.text
    assert f'href="/portal/applications/{draft["id"]}/attachments"' in page.text

    saved = await _post_form(client, path, [*_filled("新的申报名称"), ("__action", "save")])
    assert saved.status_code == 303 and saved.headers["location"] == path
    stored = await _stored(draft["id"])
    assert stored["answers"] == WIDGET_ANSWERS and stored["title"] == "新的申报名称"
    assert "草稿已保存" in (await client.get(path)).text


async def test_a_refused_save_changes_nothing_and_shows_the_error_by_its_field(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    path = f"/portal/applications/{draft['id']}/edit"
    before = await row_counts()
    refused = await _post_form(client, path, [*_filled("短"), ("__action", "save")])
    assert refused.status_code == 422 and 'id="f-title-error"' in refused.text
    assert 'value="银龄助餐·社区食堂"' in refused.text  # what was typed is kept
    assert await row_counts() == before and (await _stored(draft["id"]))["answers"] == {}


async def test_adding_an_item_without_javascript_re_renders_and_saves_nothing(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    path = f"/portal/applications/{draft['id']}/edit"
    added = await _post_form(client, path, [*_filled(), ("__add", "team")])
    assert added.status_code == 200 and 'name="team.2.name"' in added.text and "已添加一项" in added.text
    removed = await _post_form(client, path, [*_filled(), ("__remove", "team.0")])
    assert 'value="李强"' in removed.text and 'value="王小梅"' not in removed.text
    assert (await _stored(draft["id"]))["answers"] == {}


async def test_autosave_answers_a_small_status_and_never_writes_after_submission(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    autosave = f"/portal/applications/{draft['id']}/autosave"
    saved = await _post_form(client, autosave, _filled())
    assert saved.status_code == 200 and saved.json()["message"].startswith("已自动保存 ")
    assert (await _stored(draft["id"]))["answers"] == WIDGET_ANSWERS

    submitted = await client.post(f"/applications/{draft['id']}/submit", headers=member.headers)  # in another tab
    assert submitted.status_code == 200
    late = await _post_form(client, autosave, _filled(summary="提交之后才到达的自动保存内容"))
    assert late.status_code == 409 and late.json()["message"] == "未能自动保存：申报已提交，不能再修改"
    assert (await _stored(draft["id"]))["answers"] == WIDGET_ANSWERS
    edit = await client.get(f"/portal/applications/{draft['id']}/edit")
    assert edit.status_code == 409 and "申报已提交，不能再修改" in edit.text
    post = await _post_form(client, f"/portal/applications/{draft['id']}/edit", [*_filled(), ("__action", "save")])
    assert post.status_code == 409 and (await _stored(draft["id"]))["answers"] == WIDGET_ANSWERS


async def test_submitting_goes_through_the_summary_and_shows_the_screening(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    path = f"/portal/applications/{draft['id']}/edit"
    wrong = [(k, v) for k, v in _filled() if k != "partner_name"]
    refused = await _post_form(client, path, [*wrong, ("__action", "submit")])
    assert refused.status_code == 422 and "提交前请先修改以下内容" in refused.text
    assert '<a href="#f-partner_name">合作方名称：此项为必填项</a>' in refused.text
    assert (await _stored(draft["id"]))["status"] == "draft"

    to_summary = await _post_form(client, path, [*_filled(), ("__action", "submit")])
    assert to_summary.status_code == 303
    summary = await client.get(to_summary.headers["location"])
    assert summary.status_code == 200 and "<dt>合作方名称</dt><dd>某某街道社区食堂</dd>" in summary.text
    assert "确认提交" in summary.text
    token = await csrf_token(client, to_summary.headers["location"])
    done = await client.post(f"/portal/applications/{draft['id']}/submit", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == f"/portal/applications/{draft['id']}"
    detail = await client.get(done.headers["location"])
    assert "申报已提交" in detail.text and "已提交" in detail.text and "资格审查" in detail.text
    assert "填写申报表" not in detail.text and "撤回申报" in detail.text
    assert (await _stored(draft["id"]))["status"] == "submitted"


async def test_withdrawing_asks_for_a_reason_then_withdraws(client: httpx.AsyncClient) -> None:
    _, _, member, draft = await _world(client)
    await signed_in(client, member.principal.username)
    path = f"/portal/applications/{draft['id']}/withdraw"
    page = await client.get(path)
    assert page.status_code == 200 and "确认撤回" in page.text
    token = await csrf_token(client, path)
    before = await row_counts()
    short = await client.post(path, data={"csrf_token": token, "reason": "x"})
    assert short.status_code == 422 and 'id="reason-error"' in short.text and await row_counts() == before
    done = await client.post(path, data={"csrf_token": token, "reason": "团队调整，本年度不再参赛"})
    assert done.status_code == 303
    assert (await _stored(draft["id"]))["status"] == "withdrawn"
    detail = await client.get(f"/portal/applications/{draft['id']}")
    assert "已撤回" in detail.text and "撤回申报</a>" not in detail.text
    again = await client.post(path, data={"csrf_token": token, "reason": "再撤回一次试试"})
    assert again.status_code == 409


async def test_another_organisations_draft_is_the_uniform_404_and_other_roles_are_refused(
    client: httpx.AsyncClient,
) -> None:
    _, _, _, draft = await _world(client)
    _, stranger = await factories.organisation()
    await signed_in(client, stranger.principal.username)
    before = await row_counts()
    base = f"/portal/applications/{draft['id']}"
    for path in (f"{base}/edit", f"{base}/summary", f"{base}/withdraw"):
        page = await client.get(path)
        assert page.status_code == 404 and NOT_FOUND in page.text, path
    assert (await _post_form(client, f"{base}/edit", [*_filled(), ("__action", "save")])).status_code == 404
    assert (await _post_form(client, f"{base}/autosave", _filled())).status_code == 404
    assert (await _post_form(client, f"{base}/submit", [])).status_code == 404
    assert (await _post_form(client, f"{base}/withdraw", [("reason", "别人的申报")])).status_code == 404
    assert await row_counts() == before and (await _stored(draft["id"]))["answers"] == {}

    client.cookies.clear()
    expert = await factories.user(Role.expert)
    await signed_in(client, expert.principal.username)
    assert (await client.get(f"{base}/edit")).status_code == 403
