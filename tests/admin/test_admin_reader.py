"""The application reader /admin/applications/{id}: what it shows, who may open it, and its three decisions."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from app.types import ID_MAX
from programmes.tables import Application
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.reader import screening_round, user_of


async def _decide(
    session: AdminSession, application_id: int, action: str, reason: str, *, csrf: bool = True
) -> httpx.Response:
    token = session.http.cookies.get("csrftoken") if csrf else "forged"
    return await session.http.post(
        f"/admin/applications/{application_id}",
        data={"action": action, "reason": reason, "csrftoken": token or ""},
    )


async def _row(application_id: int) -> dict[str, object]:
    row = (
        await Application.select(Application.status, Application.eligibility_outcome)
        .where(Application.id == application_id)
        .first()
    )
    assert row is not None
    return dict(row)


async def _audits(application_id: int, action: str) -> int:
    return await AuditEntry.count().where(
        (AuditEntry.object_type == "application")
        & (AuditEntry.object_id == application_id)
        & (AuditEntry.action == action)
    )


async def test_the_reader_lays_out_the_application_in_chinese(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), District.changning, count=1)
    page = await officer.http.get(f"/admin/applications/{made.application_ids[0]}")
    assert page.status_code == 200, page.text
    html = page.text
    assert '<html lang="zh-CN">' in html
    for text in ("社区助餐1", made.organisation_names[0], "2026 年度 · 初赛", "已提交", "未通过", "提交申报"):
        assert text in html, text
    # Labels in the form's x-ui order (budget before summary), money with its unit, groups and repeatables readable.
    assert html.index("申请金额") < html.index("项目简介") < html.index("团队成员") < html.index("联系方式")
    assert "150,000 元" in html and "团队成员 2" in html and "李强" in html and "021-62345678" in html
    assert f'href="/admin/attachments/{made.attachment_id}/file"' in html and "项目预算表.pdf" in html
    assert "organisation_grade_too_low" in html or "评估等级" in html  # the screening finding, in Chinese
    assert "not_screened" not in html and "submitted<" not in html


async def test_attachments_download_with_the_admin_session(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    made = await screening_round(user_of(officer), District.changning, count=1)
    response = await officer.http.get(f"/admin/attachments/{made.attachment_id}/file")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_district_officer_gets_404_outside_their_district(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await screening_round(user_of(city), District.pudong, count=1)
    changning = await admin_client(Role.officer, District.changning)
    application_id = pudong.application_ids[0]
    for path in (
        f"/admin/applications/{application_id}",
        f"/admin/attachments/{pudong.attachment_id}/file",
        f"/admin/rounds/{pudong.round_id}/screening",
        f"/admin/rounds/{pudong.round_id}/screening.xlsx",
        f"/admin/applications/{ID_MAX + 1}",
    ):
        response = await changning.http.get(path)
        assert response.status_code == 404, path
        assert "记录不存在或不在您的管辖范围内" in response.text
    refused = await _decide(changning, application_id, "reject", "不符合本区申报要求")
    assert refused.status_code == 404
    assert await _row(application_id) == {"status": "submitted", "eligibility_outcome": "ineligible"}
    assert (await city.http.get(f"/admin/applications/{application_id}")).status_code == 200


async def test_without_an_admin_session_the_pages_send_to_the_login(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    response = await anonymous.http.get("/admin/applications/1")
    assert response.status_code == 303 and response.headers["location"] == "/admin/"


async def test_override_needs_a_reason_and_is_audited(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    made = await screening_round(user_of(officer), District.changning, count=1)
    application_id = made.application_ids[0]
    short = await _decide(officer, application_id, "override", "同意")
    assert short.status_code == 422
    assert 'class="error" id="reason-override-error"' in short.text
    assert "至少 5 个字" in short.text
    assert await _row(application_id) == {"status": "submitted", "eligibility_outcome": "ineligible"}
    done = await _decide(officer, application_id, "override", "已核验其评估等级证书原件，符合要求")
    assert done.status_code == 303
    assert (await _row(application_id))["eligibility_outcome"] == "overridden"
    assert await _audits(application_id, "application.eligibility_override") == 1
    after = await officer.http.get(done.headers["location"])
    assert "已人工认定资格" in after.text and "已核验其评估等级证书原件" in after.text
    again = await _decide(officer, application_id, "override", "再次认定一次看看会怎样")
    assert again.status_code == 422 and "只有资格审查未通过的申报才需要人工认定" in again.text


async def test_return_and_reject_take_a_reason_through_the_service(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=2)
    first, second = made.application_ids
    empty = await _decide(officer, first, "return_for_revision", "  ")
    assert empty.status_code == 422 and "此操作须填写原因" in empty.text
    too_long = await _decide(officer, first, "reject", "长" * 1001)
    assert too_long.status_code == 422 and "最多 1000 个字" in too_long.text
    unknown = await _decide(officer, first, "advance", "想晋级")
    assert unknown.status_code == 422
    assert (await _row(first))["status"] == "submitted"
    assert (await _decide(officer, first, "return_for_revision", "预算明细不完整")).status_code == 303
    assert (await _row(first))["status"] == "returned"
    assert await _audits(first, "contest_application.return_for_revision") == 1
    assert (await _decide(officer, second, "reject", "不属于本项目资助范围")).status_code == 303
    assert (await _row(second))["status"] == "rejected"
    page = await officer.http.get(f"/admin/applications/{second}")
    assert "驳回" in page.text and "不属于本项目资助范围" in page.text


async def test_a_post_without_the_csrf_token_changes_nothing(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    made = await screening_round(user_of(officer), None, count=1)
    forged = await _decide(officer, made.application_ids[0], "reject", "跨站伪造的请求", csrf=False)
    assert forged.status_code == 403
    assert (await _row(made.application_ids[0]))["status"] == "submitted"


async def test_the_rounds_index_lists_only_rounds_in_scope(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await screening_round(user_of(city), District.pudong, count=1)
    changning = await screening_round(user_of(city), District.changning, count=1)
    district = await admin_client(Role.officer, District.changning)
    page = await district.http.get("/admin/screening")
    assert f"/admin/rounds/{changning.round_id}/screening" in page.text
    assert f"/admin/rounds/{pudong.round_id}/screening" not in page.text


def test_answers_are_escaped_and_undeclared_ones_listed_last() -> None:
    from programmes.answers_layout import render_answers
    from tests.factories.reader import READER_FORM

    html = render_answers(
        READER_FORM,
        {"summary": "<script>alert(1)</script>", "budget": 2500, "team": [], "legacy": True, "cooperates": False},
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "2,500 元" in html and "（未填写）" in html  # the empty repeatable group and the missing contact phone
    assert html.index("表单未声明的内容") < html.index("legacy") and "是" in html and "否" in html
    assert render_answers(None, {}) == "<p>（无申报内容）</p>"
