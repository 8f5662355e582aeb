"""沪社星耀 in the admin (issue 16, task 7): ``/admin/incubation`` lists the cohorts (扶持批次) and the camps (训练营,
app.admin.pages.camps) in scope; ``/admin/incubation/cohorts/{id}`` is the cohort dashboard of issue 14
(``programmes.incubation.dashboard``: per project milestones done/late, tranches paid, indicators against target,
camp attendance) with its xlsx (the same ``dashboard.export``), the graduation outcomes (``graduation.decide`` after
``GraduationDecision``) and mentor assignment, previewed then confirmed (``scoring.mentors.service``), as the forms
「记录结项评估结论」 and 「分配导师（预览或确认）」 do.

A cohort outside a district officer's district is the uniform 404 (the services' ``load``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.admin.pages.camps import camps_section
from app.admin.pages.html import csrf_field, esc, first, options, page, redirect
from app.admin.pages.parts import Html, alert, district_zh, form_id, link, notice, pager, section, table
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import XLSX, paging_of
from app.admin.reference import validation_message
from app.auth.tables import Account
from app.errors import DomainError
from app.money import yuan
from programmes.incubation.schemas import CohortRead, DashboardRow, GraduationDecision
from programmes.tables import Application, Edition, ProgrammeKind, Round
from programmes.workflows.incubation import SUPPORTED_PROJECT, SupportedProjectStatus

OUTCOMES_ZH = {"excellent": "优秀", "passed": "合格", "failed": "不合格"}
DONE_ZH = {"graduate": "已记录结项评估结论，并通知机构", "mentors": "已分配导师，并通知导师与项目"}
MENTORS_MAX = 5  # MentorPlanForm's bound: mentors per project


def cohort_url(cohort_id: int) -> str:
    return f"/admin/incubation/cohorts/{cohort_id}"


async def _edition_titles(edition_ids: list[int]) -> dict[int, str]:
    if not edition_ids:
        return {}
    rows = await Edition.select(Edition.id, Edition.title, Edition.programme.name.as_alias("programme")).where(
        Edition.id.is_in(sorted(set(edition_ids)))
    )
    return {int(r["id"]): f"{r['programme']} · {r['title']}" for r in rows}


async def incubation_index(request: PageRequest) -> Response:
    from programmes.incubation import projects

    paging = paging_of(request.params)
    cohorts = await projects.list_cohorts(request.principal, paging)
    editions = await _edition_titles([c.edition_id for c in cohorts.items])
    rows = [
        (link(cohort_url(c.id), c.name), editions.get(c.edition_id, "—"), district_zh(c.scope_district), c.projects)
        for c in cohorts.items
    ]
    body = section(
        "cohorts",
        "扶持批次",
        "<p>新建扶持批次请用表单「建立扶持批次」。</p>"
        + pager("/admin/incubation", paging, cohorts.total)
        + table("范围内的扶持批次", ("批次", "届次", "范围", "项目数"), rows),
    )
    body += await camps_section(request.principal)
    return page("沪社星耀与训练营", body)


def _indicators(row: DashboardRow) -> str:
    marks = [
        f"{i.name}：{'—' if i.current is None else f'{i.current:g}'} / {i.target:g} {i.unit}"
        + ("（已达成）" if i.reached else "")
        for i in row.indicators
    ]
    return "；".join(marks) or "未设指标"


def _attendance(row: DashboardRow) -> str:
    if row.attendance_rate is None:
        return "尚未开课"
    return f"{row.sessions_attended}/{row.sessions_held} 场（{row.attendance_rate * 100:.0f}%）"


def _graduation_form(scope: dict[str, Any], cohort_id: int, row: DashboardRow, error: str) -> Html:
    field_id = f"grad-{row.project_id}"
    described = f' aria-describedby="{field_id}-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="{field_id}-error" role="alert">{esc(error)}</p>' if error else ""
    return Html(
        f'<form method="post" action="{cohort_url(cohort_id)}">{csrf_field(scope)}'
        f'<input type="hidden" name="action" value="graduate"><input type="hidden" name="project_id" '
        f'value="{row.project_id}"><label for="{field_id}-outcome">评估结论</label>'
        f'<select id="{field_id}-outcome" name="outcome">{options(OUTCOMES_ZH.items(), "passed")}</select>'
        f'<label for="{field_id}">理由（机构可见）</label><input id="{field_id}" name="reason" maxlength="1000"'
        f'{described}>{message}<button type="submit">记录结论</button></form>'
    )


async def _mentor_rounds(edition_id: int) -> list[tuple[str, str]]:
    edition: Any = Round.edition
    rows = (
        await Round.select(Round.id, Round.name)
        .where(Round.edition == edition_id, edition.programme.kind == ProgrammeKind.support_plan)
        .order_by(Round.id)
    )
    return [(str(r["id"]), r["name"]) for r in rows]


async def _mentor_plan(plan: Any) -> str:
    """A preview's pairs by name: the projects' titles and the mentors' names, one query each."""
    titles = {
        int(r["id"]): r["title"]
        for r in await Application.select(Application.id, Application.title).where(
            Application.id.is_in([p.application_id for p in plan.pairs] or [0])
        )
    }
    user: Any = Account.user
    names = {
        int(r["user"]): r["display_name"] or r["username"]
        for r in await Account.select(Account.user, Account.display_name, user.username.as_alias("username")).where(
            Account.user.is_in([p.mentor_id for p in plan.pairs] or [0])
        )
    }
    rows = [
        (titles.get(p.application_id, "—"), names.get(p.mentor_id, "—"), p.affinity, "、".join(p.shared_tags) or "—")
        for p in plan.pairs
    ]
    return table(
        "导师分配预览（未写入）", ("扶持项目", "导师", "匹配度", "共同标签"), rows, empty="没有可分配的项目或导师"
    )


def _mentor_form(scope: dict[str, Any], cohort_id: int, rounds: list[tuple[str, str]], chosen: str, k: int) -> str:
    if not rounds:
        return "<p>本届没有沪社星耀轮次。</p>"
    counts = [(str(n), f"{n} 位") for n in range(1, MENTORS_MAX + 1)]
    fields = (
        f'{csrf_field(scope)}<label for="mentor-round">轮次</label><select id="mentor-round" name="round_id">'
        f'{options(rounds, chosen)}</select><label for="mentor-k">每个项目的导师人数</label>'
        f'<select id="mentor-k" name="k">{options(counts, str(k))}</select>'
    )
    return (
        f'<form method="post" action="{cohort_url(cohort_id)}">{fields}'
        '<button type="submit" name="action" value="mentor_preview">预览分配（不写入）</button> '
        '<button type="submit" name="action" value="mentors">确认分配并通知</button></form>'
    )


async def cohort_page(
    request: PageRequest,
    *,
    error: str = "",
    error_id: int | None = None,
    plan: str = "",
    status: int = 200,
) -> Response:
    from programmes.incubation import dashboard, projects

    principal, cohort_id, scope = request.principal, request.object_id, request.scope
    cohort: CohortRead = await projects.read_cohort(principal, cohort_id)
    paging = paging_of(request.params)
    listed = await dashboard.rows(principal, cohort_id, paging)
    editions = await _edition_titles([cohort.edition_id])
    rows = [
        (
            r.title,
            SUPPORTED_PROJECT.states.get(r.status, r.status),
            f"{r.milestones_done}/{r.milestones_total}（逾期 {r.milestones_late}）",
            f"{r.tranches_paid}/{r.tranches_total} 期，{yuan(r.paid_fen)}",
            r.open_warnings,
            f"{r.indicators_reached}/{r.indicators_total}：{_indicators(r)}",
            _attendance(r),
            _graduation_form(scope, cohort_id, r, error if error_id == r.project_id else "")
            if r.status == SupportedProjectStatus.evaluating
            else "—",
        )
        for r in listed.items
    ]
    headers = ("项目", "状态", "里程碑 已完成/总数", "拨付", "未处理预警", "指标达成", "训练营出勤", "结项评估")
    rounds = await _mentor_rounds(cohort.edition_id)
    summary = (
        f'<dl class="answers"><dt>届次</dt><dd>{esc(editions.get(cohort.edition_id, "—"))}</dd>'
        f"<dt>范围</dt><dd>{esc(district_zh(cohort.scope_district))}</dd><dt>项目数</dt><dd>{cohort.projects}</dd>"
        f"<dt>说明</dt><dd>{esc(cohort.description or '—')}</dd></dl>"
        f'<p><a href="{cohort_url(cohort_id)}.xlsx">导出看板 Excel（xlsx）</a> · '
        '<a href="/admin/incubation">返回沪社星耀与训练营</a></p>'
    )
    placed = {r.project_id for r in listed.items if r.status == SupportedProjectStatus.evaluating}
    body = notice(DONE_ZH.get(request.params.get("done", ""), ""))
    body += alert(error) if error and error_id not in placed else ""
    body += section("summary", "批次概况", summary)
    body += section(
        "dashboard",
        "扶持批次看板",
        pager(cohort_url(cohort_id), paging, listed.total) + table("每个项目的进展", headers, rows),
    )
    chosen = first(request.form, "round_id") or (rounds[0][0] if rounds else "")
    k = int(first(request.form, "k")) if first(request.form, "k").isdigit() else 1
    body += section("mentors", "导师分配", _mentor_form(scope, cohort_id, rounds, chosen, k) + plan)
    return page(f"扶持批次：{cohort.name}", body, status=status)


async def cohort_act(request: PageRequest) -> Response:
    from programmes.incubation import graduation, project_reads, projects
    from scoring.mentors import service as mentors

    principal, cohort_id, form = request.principal, request.object_id, request.form
    cohort = await projects.read_cohort(principal, cohort_id)  # out of scope: the uniform 404 first
    action = first(form, "action")
    try:
        if action == "graduate":
            project_id = form_id(form, "project_id")
            if project_id is None or (await project_reads.read_for(principal, project_id)).cohort_id != cohort_id:
                return await cohort_page(request, error="请选择本批次的一个项目", status=422)
            try:
                decision = GraduationDecision(outcome=first(form, "outcome"), reason=first(form, "reason").strip())
            except ValidationError as exc:
                return await cohort_page(request, error=validation_message(exc), error_id=project_id, status=422)
            await graduation.decide(principal, project_id, decision)
        elif action in ("mentor_preview", "mentors"):
            round_id = form_id(form, "round_id")
            k = int(first(form, "k")) if first(form, "k").isdigit() else 0
            if round_id is None or str(round_id) not in dict(await _mentor_rounds(cohort.edition_id)):
                return await cohort_page(request, error="请选择本届的沪社星耀轮次", status=422)
            if not 1 <= k <= MENTORS_MAX:
                return await cohort_page(request, error=f"每个项目的导师人数须为 1–{MENTORS_MAX} 位", status=422)
            if action == "mentor_preview":
                return await cohort_page(
                    request, plan=await _mentor_plan(await mentors.preview(principal, round_id, k))
                )
            await mentors.commit(principal, round_id, k)
        else:
            return await cohort_page(request, error="不支持的操作", status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await cohort_page(request, error=exc.detail, status=422)
    return redirect(f"{cohort_url(cohort_id)}?done={action}")


async def _cohort_xlsx(request: PageRequest) -> Response:
    from programmes.incubation import dashboard

    data = await dashboard.export(request.principal, request.object_id)
    name = f"cohort-{request.object_id}-dashboard.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


INCUBATION_ROUTES = [
    PageRoute(r"/incubation", incubation_index),
    PageRoute(r"/incubation/cohorts/(?P<id>[0-9]{1,10})", cohort_page, cohort_act),
    PageRoute(r"/incubation/cohorts/(?P<id>[0-9]{1,10})\.xlsx", _cohort_xlsx),
]
