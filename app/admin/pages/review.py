"""A round's expert review, ``/admin/rounds/{id}/review`` (issue 16, 「专家评审」): the progress per expert and per
application, the solver's assignment preview with its reasons and its commit (all pairs, only the ticked ones, or a
partial assignment that leaves the unstaffable applications aside), manual assignment with the conflict checks,
removing or reopening an assignment, and 催办 (a reminder to every expert with an open assignment).

Every action validates with the API's schemas (``AssignmentCreate``, ``ReasonBody``) and calls the API's services
(``scoring.assignments.service``: preview, commit, assign, officer_step; ``scoring.reviews.jobs.remind_round``) with
the officer's principal, so scope, conflicts, transitions and audit rows are the API's. A refusal is shown next to
its form with the service's Chinese message and a 4xx status; nothing changes.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.access import staff_filter
from app.admin.pages.html import csrf_field, esc, first, options, page, query_string
from app.admin.pages.review_preview import MODES, mode_of, preview_form, preview_section
from app.admin.pages.review_progress import (
    ReviewRound,
    application_names,
    application_progress,
    expert_choices,
    expert_names,
    expert_progress,
    ranking_url,
    review_round,
    review_url,
    reviewable_choices,
)
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import paging_of, screening_url
from app.auth.principal import Principal
from app.errors import DomainError
from app.paging import PageParams
from programmes.tables import Application, Round
from programmes.workflows.contest import RoundStatus
from scoring.assignments.schemas import AssignmentCreate, ReasonBody
from scoring.tables import ReviewAssignment

STEPS = {"remove": "撤销分配（仅限待评审）", "reopen": "退回专家重新评分（仅限已提交）"}


def _error(key: str, errors: dict[str, str]) -> tuple[str, str]:
    """The error paragraph of one form and the attributes that tie its field to it."""
    if key not in errors:
        return "", ""
    return (
        f'<p class="error" id="{key}-error" role="alert">{esc(errors[key])}</p>',
        f' aria-describedby="{key}-error" aria-invalid="true"',
    )


def _number(text: str) -> int | str:
    """A picked id as the integer the API's schema checks (its range); anything else stays text and is refused."""
    return int(text) if text.isdigit() and len(text) <= 10 else text


async def _assign_form(
    scope: dict[str, Any], principal: Principal, review: ReviewRound, errors: dict[str, str], form: dict[str, str]
) -> str:
    apps = await reviewable_choices(principal, review.id)
    experts = await expert_choices()
    message, described = _error("assign", errors)
    return (
        f'<form method="post" action="{review_url(review.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="do" value="assign">'
        f'<label for="assign-application">申报</label><select id="assign-application" name="application_id"{described}>'
        f"{options([('', '请选择申报'), *apps], form.get('application_id', ''))}</select>"
        f'<label for="assign-expert">评审专家</label><select id="assign-expert" name="expert_id"{described}>'
        f"{options([('', '请选择评审专家'), *experts], form.get('expert_id', ''))}</select>{message}"
        '<button type="submit">分配</button></form>'
    )


def _step_form(
    scope: dict[str, Any],
    review: ReviewRound,
    picker: list[tuple[str, str]],
    errors: dict[str, str],
    form: dict[str, str],
) -> str:
    if not picker:
        return "<p>当前页没有可撤销或退回的评审任务。</p>"
    message, described = _error("step", errors)
    return (
        f'<form method="post" action="{review_url(review.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="do" value="step">'
        f'<label for="step-assignment">评审任务（当前页）</label><select id="step-assignment" name="assignment_id">'
        f"{options(picker, form.get('assignment_id', ''))}</select>"
        f'<label for="step-action">操作</label><select id="step-action" name="action">'
        f"{options(STEPS.items(), form.get('action', 'remove'))}</select>"
        f'<label for="step-reason">原因（记入审计日志，必填）</label>'
        f'<textarea id="step-reason" name="reason" rows="2"{described}>{esc(form.get("reason", ""))}</textarea>'
        f'{message}<button type="submit">执行</button></form>'
    )


def _pager(review: ReviewRound, paging: PageParams, total: int) -> str:
    links = []
    if paging.offset > 0:
        back = {"limit": str(paging.limit), "offset": str(max(0, paging.offset - paging.limit))}
        links.append(f'<a href="{review_url(review.id)}{query_string(back)}">上一页</a>')
    if paging.offset + paging.limit < total:
        ahead = {"limit": str(paging.limit), "offset": str(paging.offset + paging.limit)}
        links.append(f'<a href="{review_url(review.id)}{query_string(ahead)}">下一页</a>')
    last = min(total, paging.offset + paging.limit)
    return f"<p>共 {total} 件，当前第 {paging.offset + 1 if total else 0}–{last} 件 {' '.join(links)}</p>"


async def review_page(
    request: PageRequest,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    preview_html: str = "",
    status: int = 200,
) -> Response:
    scope, principal, params = request.scope, request.principal, request.params
    errors, form = errors or {}, form or {}
    review = await review_round(principal, request.object_id)
    paging = paging_of(params)
    progress = await application_progress(principal, review, paging)
    mode = params.get("preview", "") if params.get("preview", "") in MODES else ""
    if mode and not preview_html:
        preview_html = await preview_section(scope, principal, review, mode)
    remind = (
        f'<form method="post" action="{review_url(review.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="do" value="remind"><button type="submit">向有待评审任务的专家发送催办</button>'
        "</form><p>同一评审任务每天最多催办一次；重复点击不会重复通知。</p>"
    )
    ranking = (
        f'<p><a href="{ranking_url(review.id)}">查看本轮排名（各汇总方法并列）、离群评分与评分信度</a></p>'
        if review.status == RoundStatus.closed
        else "<p>轮次关闭并排名后，可在此查看排名、离群评分与评分信度。</p>"
    )
    facts = (
        f"<p>轮次状态：{esc(review.status_zh)}；每件申报应评专家 {review.reviews_per_application} 人；"
        f"{'匿名评审（专家看不到申报单位信息）' if review.blind else '实名评审'}。"
        f'<a href="{screening_url(review.id)}">返回本轮资格审查列表</a></p>{ranking}'
    )
    shown_notice = f'<div class="notice" role="status">{notice}</div>' if notice else ""
    commit_error, _ = _error("commit", errors)
    body = (
        f"{shown_notice}<section aria-labelledby='s-facts'><h2 id='s-facts'>本轮概况</h2>{facts}</section>"
        f"<section aria-labelledby='s-experts'><h2 id='s-experts'>评审进度：按专家</h2>"
        f"{await expert_progress(principal, review.id)}</section>"
        f"<section aria-labelledby='s-apps'><h2 id='s-apps'>评审进度：按申报</h2>"
        f"{_pager(review, paging, progress.page.total)}{progress.table}</section>"
        f"<section aria-labelledby='s-preview'><h2 id='s-preview'>分配预览与提交</h2>{commit_error}"
        f"{preview_form(review, mode)}{preview_html}</section>"
        f"<section aria-labelledby='s-assign'><h2 id='s-assign'>人工分配</h2>"
        f"<p>存在利益冲突的配对会被拒绝。</p>{await _assign_form(scope, principal, review, errors, form)}</section>"
        f"<section aria-labelledby='s-step'><h2 id='s-step'>撤销分配 / 退回重评</h2>"
        f"{_step_form(scope, review, progress.assignments, errors, form)}</section>"
        f"<section aria-labelledby='s-remind'><h2 id='s-remind'>催办</h2>{remind}</section>"
    )
    return page(f"专家评审：{review.title}", body, status=status)


async def _commit(request: PageRequest) -> Response:
    from scoring.assignments.service import commit

    mode, chosen_scope = first(request.form, "mode"), first(request.form, "scope")
    if mode not in MODES or chosen_scope not in ("all", "chosen", "partial"):
        return await review_page(request, errors={"commit": "请选择分配方式和提交范围"}, status=422)
    chosen: set[tuple[int, int]] | None = None
    if chosen_scope == "chosen":
        try:
            pairs = [v.split(":", 1) for v in request.form.get("pairs", [])]
            checked = [
                AssignmentCreate.model_validate({"application_id": _number(a), "expert_id": _number(e)})
                for a, e in pairs
            ]
        except (ValueError, ValidationError):
            return await review_page(request, errors={"commit": "勾选的配对有误，请重新生成预览"}, status=422)
        if not checked:
            return await review_page(request, errors={"commit": "请至少勾选一个配对"}, status=422)
        chosen = {(c.application_id, c.expert_id) for c in checked}
    try:
        done = await commit(request.principal, request.object_id, mode_of(mode), chosen_scope == "partial", chosen)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await review_page(request, errors={"commit": exc.detail}, status=exc.status)
    notice = f"<p>已写入 {len(done.pairs)} 个评审配对，申报已进入评审。</p>"
    if chosen is not None and len(done.pairs) < len(chosen):
        notice += f"<p>{len(chosen) - len(done.pairs)} 个勾选的配对已不在最新的最优分配中，未写入；请重新生成预览。</p>"
    if done.unstaffed:
        names = await application_names(u.application_id for u in done.unstaffed)
        items = "".join(f"<li>{esc(names.get(u.application_id, '—'))}：{esc(u.message)}</li>" for u in done.unstaffed)
        notice += f"<p>{len(done.unstaffed)} 件申报暂未配齐评审专家：</p><ul>{items}</ul>"
    return await review_page(request, notice=notice)


async def _assign(request: PageRequest) -> Response:
    from scoring.assignments.service import assign

    form = {k: first(request.form, k) for k in ("application_id", "expert_id")}
    try:
        data = AssignmentCreate.model_validate(
            {"application_id": _number(form["application_id"]), "expert_id": _number(form["expert_id"])}
        )
    except ValidationError:
        return await review_page(request, errors={"assign": "请选择申报和评审专家"}, form=form, status=422)
    in_round = await Application.exists().where(
        (Application.id == data.application_id) & (Application.round == request.object_id),
        *staff_filter(request.principal, Application.scope_district),
    )
    if not in_round:
        return await review_page(request, errors={"assign": "该申报不属于本轮"}, form=form, status=422)
    try:
        await assign(request.principal, data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await review_page(request, errors={"assign": exc.detail}, form=form, status=exc.status)
    names = await application_names([data.application_id])
    experts = await expert_names([data.expert_id])
    done = f"已将 {esc(experts.get(data.expert_id, ''))} 分配评审 {esc(names.get(data.application_id, ''))}。"
    return await review_page(request, notice=f"<p>{done}</p>")


async def _step(request: PageRequest) -> Response:
    from scoring.assignments.service import officer_step

    form = {k: first(request.form, k) for k in ("assignment_id", "action", "reason")}
    if form["action"] not in STEPS or not form["assignment_id"].isdigit() or len(form["assignment_id"]) > 9:
        return await review_page(request, errors={"step": "请选择评审任务和操作"}, form=form, status=422)
    try:
        reason = ReasonBody(reason=form["reason"]).reason
    except ValidationError:
        return await review_page(request, errors={"step": "请填写原因（2 至 1000 个字）"}, form=form, status=422)
    assignment_id = int(form["assignment_id"])
    # Only this round's assignments: a forged id of another round is refused here, never touched.
    if not await ReviewAssignment.exists().where(
        (ReviewAssignment.id == assignment_id) & (ReviewAssignment.application._.round == request.object_id)
    ):
        return await review_page(request, errors={"step": "该评审任务不属于本轮"}, form=form, status=422)
    try:
        await officer_step(request.principal, assignment_id, form["action"], reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await review_page(request, errors={"step": exc.detail}, form=form, status=exc.status)
    label = "已撤销分配" if form["action"] == "remove" else "已退回专家重新评分"
    return await review_page(request, notice=f"<p>{label}，并记入审计日志。</p>")


async def _remind(request: PageRequest) -> Response:
    from scoring.reviews.jobs import remind_round

    sent = await remind_round(request.principal, request.object_id)
    notice = (
        f"<p>本轮待评审任务 {sent.open_assignments} 项（{sent.experts} 位专家），已发送催办通知 {sent.sent} 条"
        f"{'；今天已催办过的任务不再重复通知' if sent.sent < sent.open_assignments else ''}。</p>"
    )
    return await review_page(request, notice=notice)


_ACTIONS = {"commit": _commit, "assign": _assign, "step": _step, "remind": _remind}


async def _act(request: PageRequest) -> Response:
    await review_round(request.principal, request.object_id)  # out of scope: the uniform 404 before anything else
    action = _ACTIONS.get(first(request.form, "do"))
    if action is None:
        return await review_page(request, errors={"commit": "不支持的操作"}, status=422)
    return await action(request)


async def _rounds_index(request: PageRequest) -> Response:
    """The rounds in the officer's scope, newest first, each linked to its review page (and ranking once closed)."""
    rows = await (
        Round.select(Round.id, Round.name, Round.status, Round.edition.title)
        .where(*staff_filter(request.principal, Round.scope_district))
        .order_by(Round.id, ascending=False)
        .limit(200)
    )
    items = "".join(
        f'<li><a href="{review_url(r["id"])}">{esc(r["edition.title"])} · {esc(r["name"])}</a>'
        + (f'（<a href="{ranking_url(r["id"])}">排名与信度</a>）' if r["status"] == RoundStatus.closed else "")
        + "</li>"
        for r in rows
    )
    listing = f"<ul>{items or '<li>暂无轮次</li>'}</ul>"
    return page("专家评审", f"<section><h2>选择轮次（最近 200 个）</h2>{listing}</section>")


async def _review(request: PageRequest) -> Response:
    return await review_page(request)


REVIEW_ROUTES = [
    PageRoute(r"/review", _rounds_index),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/review", _review, _act),
]
