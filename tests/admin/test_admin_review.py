"""A round's expert review in the admin, /admin/rounds/{id}/review: progress, the solver's preview and its commit (all,
ticked, partial), manual assignment with the conflict checks, remove/reopen, 催办; and the closed round's ranking
page with every method side by side, outliers, ICC and its xlsx. Every refusal changes nothing."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import httpx
from openpyxl import load_workbook

from app.audit import AuditEntry
from app.auth.principal import Principal
from app.auth.tables import Role
from app.notifications.tables import Notification
from app.outbox import OutboxMessage
from app.reference import District
from scoring.tables import ReviewAssignment
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.reader import user_of
from tests.factories.review_admin import closed_review_world, review_world

NOT_FOUND = "记录不存在或不在您的管辖范围内"


async def _post(session: AdminSession, round_id: int, fields: list[tuple[str, str]]) -> httpx.Response:
    body = [("csrftoken", session.http.cookies.get("csrftoken") or ""), *fields]
    return await session.http.post(
        f"/admin/rounds/{round_id}/review",
        content=urlencode(body),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def _pairs(round_id: int) -> list[tuple[int, int, str]]:
    rows = (
        await ReviewAssignment.select(ReviewAssignment.application, ReviewAssignment.expert, ReviewAssignment.status)
        .where(ReviewAssignment.application._.round == round_id)
        .order_by(ReviewAssignment.id)
    )
    return [(r["application"], r["expert"], r["status"]) for r in rows]


async def test_preview_with_reasons_then_commit_ticked_then_all(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=3, applications=2, reviews_per_application=2)
    url = f"/admin/rounds/{world.round_id}/review"
    shown = await officer.http.get(url, params={"preview": "total"})
    assert shown.status_code == 200
    assert "分配预览（尚未写入" in shown.text and "共同标签" in shown.text and "助餐" in shown.text
    assert all(name in shown.text for name in world.expert_names) and "社区助餐1（测试社会组织" in shown.text
    assert shown.text.count('name="pairs"') == 4 and await _pairs(world.round_id) == []
    pair = next(f"{a}:{e}" for a in world.application_ids for e in world.expert_ids if f'value="{a}:{e}"' in shown.text)
    done = await _post(
        officer, world.round_id, [("do", "commit"), ("mode", "total"), ("scope", "chosen"), ("pairs", pair)]
    )
    assert done.status_code == 200 and "已写入 1 个评审配对" in done.text
    written = await _pairs(world.round_id)
    assert [(a, e) for a, e, _ in written] == [tuple(int(x) for x in pair.split(":"))]
    rest = await _post(officer, world.round_id, [("do", "commit"), ("mode", "fair"), ("scope", "all")])
    assert rest.status_code == 200 and "已写入 3 个评审配对" in rest.text
    assert len(await _pairs(world.round_id)) == 4
    assert await AuditEntry.count().where(AuditEntry.action == "review_assignment.create") == 4
    # Progress: per expert by name (4 pairs over 3 experts), per application 0 of 2 scored yet.
    page = await officer.http.get(url)
    assert "评审进度：按专家" in page.text and "0 / 2（在评 2）" in page.text
    assert all(name in page.text for name in world.expert_names) and "待评审" in page.text


async def test_commit_refusals_change_nothing(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=3, applications=2)
    before = await AuditEntry.count()
    for fields, message in (
        ([("do", "commit"), ("mode", "best"), ("scope", "all")], "请选择分配方式和提交范围"),
        ([("do", "commit"), ("mode", "total"), ("scope", "chosen")], "请至少勾选一个配对"),
        ([("do", "commit"), ("mode", "total"), ("scope", "chosen"), ("pairs", "1:x")], "勾选的配对有误"),
        ([("do", "commit"), ("mode", "total"), ("scope", "chosen"), ("pairs", "0:1")], "勾选的配对有误"),
        ([("do", "erase")], "不支持的操作"),
    ):
        refused = await _post(officer, world.round_id, fields)
        assert refused.status_code == 422 and message in refused.text, message
    no_token = await officer.http.post(
        f"/admin/rounds/{world.round_id}/review",
        content=urlencode({"do": "commit", "mode": "total", "scope": "all"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert no_token.status_code == 403
    assert await _pairs(world.round_id) == [] and await AuditEntry.count() == before


async def test_infeasible_preview_offers_a_partial_assignment(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=1, applications=2, reviews_per_application=2)
    shown = await officer.http.get(f"/admin/rounds/{world.round_id}/review", params={"preview": "total"})
    assert shown.status_code == 200 and "无法为每个申报分配足够的评审专家" in shown.text
    assert "社区助餐1（测试社会组织" in shown.text and 'value="partial"' in shown.text
    whole = await _post(officer, world.round_id, [("do", "commit"), ("mode", "total"), ("scope", "all")])
    assert whole.status_code == 409 and "无法为每个申报分配足够的评审专家" in whole.text
    assert await _pairs(world.round_id) == []
    partial = await _post(officer, world.round_id, [("do", "commit"), ("mode", "total"), ("scope", "partial")])
    assert partial.status_code == 200 and "2 件申报暂未配齐评审专家" in partial.text
    assert await AuditEntry.count().where(AuditEntry.action == "round.assignment_partial") == 1


async def test_manual_assign_checks_conflicts_and_the_round(admin_client: AdminFactory) -> None:
    from scoring.experts.schemas import ConflictCreate
    from scoring.experts.service import record_conflict

    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=2, applications=2)
    other = await review_world(user_of(officer), None, experts=0, applications=1, title="别的轮次")
    first, second = world.application_ids
    one, two = world.expert_ids
    await record_conflict(
        user_of(officer).principal,
        ConflictCreate(expert_id=two, organisation_id=world.organisation_ids[1], reason="曾任理事"),
    )
    page = await officer.http.get(f"/admin/rounds/{world.round_id}/review")
    assert f'<option value="{first}">社区助餐1（测试社会组织' in page.text and "王建国（reviewer" in page.text

    def assign(application: int | str, expert: int | str) -> list[tuple[str, str]]:
        return [("do", "assign"), ("application_id", str(application)), ("expert_id", str(expert))]

    ok = await _post(officer, world.round_id, assign(first, one))
    assert ok.status_code == 200 and "已将 王建国 分配评审 社区助餐1" in ok.text
    before = await AuditEntry.count()
    for fields, status, message in (
        (assign(first, one), 409, "该专家已分配到此申报"),
        (assign(second, two), 409, "存在利益冲突，不能评审"),
        (assign(second, user_of(officer).id), 422, "所选用户不是评审专家"),
        (assign(other.application_ids[0], one), 422, "该申报不属于本轮"),
        (assign("", one), 422, "请选择申报和评审专家"),
    ):
        refused = await _post(officer, world.round_id, fields)
        assert refused.status_code == status and message in refused.text, message
        assert 'id="assign-error" role="alert"' in refused.text
    assert await _pairs(world.round_id) == [(first, one, "assigned")] and await AuditEntry.count() == before


async def test_remove_and_reopen_with_a_reason(admin_client: AdminFactory) -> None:
    from scoring.reviews.reviewing import submit as submit_review
    from scoring.reviews.schemas import ReviewDraft

    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=2, applications=1)
    other = await review_world(user_of(officer), None, experts=1, applications=1, title="别的轮次")
    from scoring.assignments.schemas import AssignmentCreate
    from scoring.assignments.service import assign

    staff = user_of(officer).principal
    app_id = world.application_ids[0]
    held = await assign(staff, AssignmentCreate(application_id=app_id, expert_id=world.expert_ids[0]))
    scored = await assign(staff, AssignmentCreate(application_id=app_id, expert_id=world.expert_ids[1]))
    foreign = await assign(
        staff, AssignmentCreate(application_id=other.application_ids[0], expert_id=other.expert_ids[0])
    )
    expert = Principal(world.expert_ids[1], "e", Role.expert, None)
    await submit_review(expert, scored.id, ReviewDraft(scores={"innovation": 80, "feasibility": 80}))

    def step(assignment: int, action: str, reason: str) -> list[tuple[str, str]]:
        return [("do", "step"), ("assignment_id", str(assignment)), ("action", action), ("reason", reason)]

    page = await officer.http.get(f"/admin/rounds/{world.round_id}/review")
    assert "社区助餐1 — 王建国（待评审）" in page.text and "1 / 2（在评 2）" in page.text
    before = await AuditEntry.count()
    for fields, status, message in (
        (step(held.id, "remove", "x"), 422, "请填写原因"),
        (step(held.id, "reopen", "专家请求修改"), 409, ""),
        (step(foreign.id, "remove", "分配有误"), 422, "该评审任务不属于本轮"),
        (step(held.id, "delete", "分配有误"), 422, "请选择评审任务和操作"),
    ):
        refused = await _post(officer, world.round_id, fields)
        assert refused.status_code == status and message in refused.text, (message, refused.text[-800:])
        assert 'id="step-error" role="alert"' in refused.text
    assert await AuditEntry.count() == before
    removed = await _post(officer, world.round_id, step(held.id, "remove", "专家出差无法评审"))
    assert removed.status_code == 200 and "已撤销分配" in removed.text
    reopened = await _post(officer, world.round_id, step(scored.id, "reopen", "评分与评语不符，请复核"))
    assert reopened.status_code == 200 and "已退回专家重新评分" in reopened.text
    statuses = [s for _, _, s in await _pairs(world.round_id)]
    assert statuses == ["removed", "assigned"]
    assert await AuditEntry.count().where(AuditEntry.action == "review_assignment.remove.note") == 1


async def test_reminders_are_sent_once_a_day_through_the_outbox(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    world = await review_world(user_of(officer), None, experts=2, applications=2)
    other = await review_world(user_of(officer), None, experts=1, applications=1, title="别的轮次")
    from scoring.assignments.service import commit

    await commit(user_of(officer).principal, world.round_id, "total")
    await commit(user_of(officer).principal, other.round_id, "total")
    outbox_before = await OutboxMessage.count()
    sent = await _post(officer, world.round_id, [("do", "remind")])
    assert sent.status_code == 200 and "本轮待评审任务 4 项（2 位专家），已发送催办通知 4 条" in sent.text
    nudges = await Notification.select(Notification.user).where(Notification.kind == "review_nudge")
    assert sorted(n["user"] for n in nudges) == sorted(world.expert_ids * 2)  # not the other round's expert
    assert await OutboxMessage.count() == outbox_before + 4
    again = await _post(officer, world.round_id, [("do", "remind")])
    assert "已发送催办通知 0 条；今天已催办过的任务不再重复通知" in again.text
    assert await Notification.count().where(Notification.kind == "review_nudge") == 4
    assert await OutboxMessage.count() == outbox_before + 4
    assert await AuditEntry.count().where(AuditEntry.action == "round.review_reminders") == 2


async def test_a_district_officer_sees_only_their_districts_rounds(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    pudong = await review_world(user_of(city), District.pudong, experts=2, applications=1, title="浦东助老")
    officer = await admin_client(Role.officer, District.changning)
    mine = await review_world(user_of(officer), District.changning, experts=2, applications=1, title="长宁睦邻")
    index = await officer.http.get("/admin/review")
    assert f"/admin/rounds/{mine.round_id}/review" in index.text
    assert f"/admin/rounds/{pudong.round_id}/review" not in index.text
    for path in ("review", "ranking", "ranking.xlsx"):
        hidden = await officer.http.get(f"/admin/rounds/{pudong.round_id}/{path}")
        assert hidden.status_code == 404 and NOT_FOUND in hidden.text, path
    before = await AuditEntry.count()
    for fields in (
        [("do", "commit"), ("mode", "total"), ("scope", "all")],
        [("do", "remind")],
        [
            ("do", "assign"),
            ("application_id", str(pudong.application_ids[0])),
            ("expert_id", str(pudong.expert_ids[0])),
        ],
    ):
        refused = await _post(officer, pudong.round_id, fields)
        assert refused.status_code == 404 and NOT_FOUND in refused.text
    # Their own round's form cannot reach another district's application either.
    forged = [
        ("do", "assign"),
        ("application_id", str(pudong.application_ids[0])),
        ("expert_id", str(mine.expert_ids[0])),
    ]
    refused = await _post(officer, mine.round_id, forged)
    assert refused.status_code == 422 and "该申报不属于本轮" in refused.text
    assert await _pairs(pudong.round_id) == [] and await AuditEntry.count() == before
    own = await officer.http.get(f"/admin/rounds/{mine.round_id}/review", params={"preview": "total"})
    assert own.status_code == 200 and "长宁睦邻1" in own.text and "浦东助老" not in own.text


async def test_closed_round_ranking_side_by_side_with_outliers_icc_and_xlsx(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    open_round = await review_world(user_of(officer), None, experts=1, applications=1)
    early = await officer.http.get(f"/admin/rounds/{open_round.round_id}/ranking")
    assert early.status_code == 200 and "本轮尚未关闭并排名" in early.text
    world = await closed_review_world(user_of(officer), None)
    review = await officer.http.get(f"/admin/rounds/{world.round_id}/review")
    assert f'href="/admin/rounds/{world.round_id}/ranking"' in review.text and "已截止评审完成" in review.text
    shown = await officer.http.get(f"/admin/rounds/{world.round_id}/ranking")
    assert shown.status_code == 200
    for label in (
        "加权平均（本轮方法）",
        "中位数",
        "去掉最高最低分后平均",
        "校准后平均",
        "评分标准差",
        "ICC(1)",
        "ICC(1,k)",
    ):
        assert label in shown.text, label
    assert f"离群评分：{world.expert_names[3]}" in shown.text and "社区助餐1" in shown.text
    assert "测试社会组织" in shown.text
    download = await officer.http.get(f"/admin/rounds/{world.round_id}/ranking.xlsx")
    assert download.status_code == 200 and "spreadsheetml" in download.headers["content-type"]
    book = load_workbook(io.BytesIO(download.content))
    rows = list(book["排名"].values)
    assert rows[0][:5] == ("名次", "申报项目", "申报单位", "评审数", "排名得分") and len(rows) == 3
    assert f"离群评分：{world.expert_names[0]}" not in shown.text
    assert any(f"离群评分：{world.expert_names[3]}" in str(cell) for row in rows for cell in row)
    facts = dict(list(book["评分信度"].values)[1:])
    assert facts["已提交评分（份）"] == 8 and facts["离群评分（份）"] >= 1
