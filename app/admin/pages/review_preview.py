"""The review page's 分配预览: the solver's assignment of a round (nothing written), each pair with the reasons the
solver gives (affinity, shared tags, domain and track match), ticked to commit only some; or, when no assignment
staffs every application, the shortfalls by application and the offer of a partial assignment.

Calls ``scoring.assignments.service.preview`` (POST /rounds/{id}/assignment-preview) with the officer's principal.
"""

from __future__ import annotations

from typing import Any

from app.admin.pages.html import csrf_field, esc, options
from app.admin.pages.reader import application_url
from app.admin.pages.review_progress import ReviewRound, application_names, expert_names, review_url
from app.auth.principal import Principal
from app.errors import DomainError
from scoring.assignment import Mode
from scoring.assignments.schemas import AssignmentPlanRead

MODES = {"total": "总亲和度最高", "fair": "兼顾公平（先抬高最低的申报）"}
PAIRS_SHOWN = 500  # a preview longer than this is committed whole or partially, not ticked row by row


def mode_of(text: str) -> Mode:
    """The solver's mode as the API's ``Mode`` (callers have checked it is one of ``MODES``)."""
    return "fair" if text == "fair" else "total"


def _yes(value: bool) -> str:
    return "是" if value else "否"


async def preview_section(scope: dict[str, Any], principal: Principal, review: ReviewRound, mode: str) -> str:
    """The solver's assignment (nothing written), each pair with why; or why none is feasible."""
    from scoring.assignments.service import preview

    mode_field = f'<input type="hidden" name="mode" value="{esc(mode)}">'
    partial = (
        f'<form method="post" action="{review_url(review.id)}">{csrf_field(scope)}'
        f'<input type="hidden" name="do" value="commit">{mode_field}<input type="hidden" name="scope" value="partial">'
        '<button type="submit">部分分配：为能配齐的申报分配专家，其余列出原因</button></form>'
    )
    try:
        plan: AssignmentPlanRead = await preview(principal, review.id, mode_of(mode))
    except DomainError as exc:
        if exc.status == 404:
            raise
        names = await application_names(
            int(e.details["application_id"]) for e in exc.errors if e.details and e.details.get("application_id")
        )
        items = "".join(
            f"<li>{esc(names.get(int((e.details or {}).get('application_id') or 0), '本轮'))}：{esc(e.message)}</li>"
            for e in exc.errors
        )
        return f'<p class="error" role="alert">{esc(exc.detail)}</p><ul>{items}</ul>{partial}'
    shown = plan.pairs[:PAIRS_SHOWN]
    apps = await application_names(p.application_id for p in shown)
    experts = await expert_names(p.expert_id for p in shown)
    rows = "".join(
        f'<tr><td><input type="checkbox" name="pairs" value="{p.application_id}:{p.expert_id}" form="commit"'
        f' id="pair-{p.application_id}-{p.expert_id}"><label class="sr" for="pair-{p.application_id}-{p.expert_id}">'
        f"选择 {esc(apps.get(p.application_id, ''))} — {esc(experts.get(p.expert_id, ''))}</label></td>"
        f'<td><a href="{application_url(p.application_id)}">{esc(apps.get(p.application_id, "—"))}</a></td>'
        f"<td>{esc(experts.get(p.expert_id, '—'))}</td><td>{p.affinity}</td>"
        f"<td>{esc('、'.join(p.shared_tags) or '—')}</td><td>{_yes(p.domain_match)}</td><td>{_yes(p.track_match)}</td>"
        "</tr>"
        for p in shown
    )
    more = f"<p>共 {len(plan.pairs)} 个配对，仅列出前 {PAIRS_SHOWN} 个。</p>" if len(plan.pairs) > PAIRS_SHOWN else ""
    summary = (
        f"<p>方式：{esc(MODES.get(plan.mode, plan.mode))}；新配对 {len(plan.pairs)} 个；"
        f"总亲和度 {plan.total_affinity}；"
        f"申报最低亲和度 {plan.min_application_affinity}；{'已证明最优' if plan.optimal else '未证明最优'}"
        f"（求解器：{esc(plan.solver)}）。</p>"
    )
    if not plan.pairs:
        return summary + "<p>没有需要新增的配对：每件可评审的申报都已配齐评审专家。</p>"
    table = (
        '<table><caption>分配预览（尚未写入；勾选后可只提交部分配对）</caption><thead><tr><th scope="col">选择</th>'
        '<th scope="col">申报项目（申报单位）</th><th scope="col">评审专家</th><th scope="col">亲和度</th>'
        '<th scope="col">共同标签</th><th scope="col">领域匹配</th><th scope="col">赛道匹配</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>{more}"
    )
    commit = (
        f'<form method="post" id="commit" action="{review_url(review.id)}">{csrf_field(scope)}'
        f'<input type="hidden" name="do" value="commit">{mode_field}'
        '<button type="submit" name="scope" value="all">全部提交</button> '
        '<button type="submit" name="scope" value="chosen">只提交勾选的配对</button></form>'
    )
    return summary + table + commit + partial


def preview_form(review: ReviewRound, mode: str) -> str:
    return (
        f'<form method="get" action="{review_url(review.id)}"><label for="preview-mode">分配方式</label>'
        f'<select id="preview-mode" name="preview">{options(MODES.items(), mode or "total")}</select>'
        '<button type="submit">生成分配预览</button></form>'
    )
