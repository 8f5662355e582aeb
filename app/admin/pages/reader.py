"""The application reader, ``/admin/applications/{id}``: everything an officer screens by, on one page, and the three
screening decisions (override with a reason, return for revision, reject) through the API's own services.

Scope is the API's: ``read_for`` loads the application for the session's principal, so a district officer gets the
same uniform 404 outside their district. A refused decision is shown next to its reason field and changes nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.admin.pages.html import (
    OUTCOME_ZH,
    SEVERITY_ZH,
    csrf_field,
    esc,
    page,
    redirect,
    status_zh,
    when,
)
from app.auth.principal import Principal
from app.errors import DomainError
from app.organisations.tables import Organisation
from app.paging import MAX_LIMIT, PageParams
from programmes.answers_layout import render_answers
from programmes.applications.schemas import ApplicationRead, EligibilityOverride, OfficerAction
from programmes.tables import FormVersion, Round, Track

# The decisions this page offers: form action → (zh label, what the reason field is called).
DECISIONS = {
    "override": "资格审查人工认定（认定为符合资格）",
    "return_for_revision": "退回修改",
    "reject": "驳回",
}
DONE_ZH = {"override": "已人工认定资格，并记入审计日志", "return_for_revision": "已退回修改", "reject": "已驳回"}


def application_url(application_id: int) -> str:
    return f"/admin/applications/{application_id}"


def attachment_url(attachment_id: int) -> str:
    return f"/admin/attachments/{attachment_id}/file"


async def _names(app: ApplicationRead) -> dict[str, str]:
    """Organisation, round and track names: one query each, whatever the page holds."""
    org = await Organisation.select(Organisation.name).where(Organisation.id == app.organisation_id).first()
    edition: Any = Round.edition
    round_row = (
        await Round.select(Round.name, edition.title, edition.programme.kind.as_alias("kind"))
        .where(Round.id == app.round_id)
        .first()
    )
    track = await Track.select(Track.name).where(Track.id == app.track_id).first() if app.track_id else None
    return {
        "organisation": org["name"] if org else "—",
        "round": f"{round_row['edition.title']} · {round_row['name']}" if round_row else "—",
        "track": track["name"] if track else "（无赛道）",
        "kind": round_row["kind"] if round_row else "",
    }


async def _schema(app: ApplicationRead) -> dict[str, Any] | None:
    if app.form_version_id is None:
        return None
    row = (
        await FormVersion.select(FormVersion.json_schema)
        .where(FormVersion.id == app.form_version_id)
        .first()
        .output(load_json=True)
    )
    return row["json_schema"] if row else None


def _findings(app: ApplicationRead) -> str:
    screened = app.eligibility or {}
    findings = screened.get("findings") or []
    rows = "".join(
        f"<tr><td>{esc(SEVERITY_ZH.get(str(f.get('severity')), f.get('severity')))}</td>"
        f"<td>{esc(f.get('reason'))}</td><td>{esc(f.get('code'))}</td></tr>"
        for f in findings
        if isinstance(f, dict)
    )
    table = (
        f'<table><caption>审查发现</caption><thead><tr><th scope="col">性质</th><th scope="col">说明</th>'
        f'<th scope="col">代码</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else "<p>无审查发现。</p>"
    )
    override = screened.get("override") if isinstance(screened.get("override"), dict) else None
    note = f"<p>人工认定理由：{esc(override.get('reason'))}</p>" if override else ""
    on = f"（审查日期 {esc(screened['screened_on'])}）" if screened.get("screened_on") else ""
    outcome = OUTCOME_ZH.get(app.eligibility_outcome, app.eligibility_outcome)
    return f"<p>审查结果：<strong>{esc(outcome)}</strong>{on}</p>{table}{note}"


async def _attachments(principal: Principal, app: ApplicationRead) -> str:
    from programmes.attachments.service import list_for

    try:
        files = await list_for(principal, app.id, PageParams(limit=MAX_LIMIT))
    except DomainError as exc:
        return f"<p>{esc(exc.detail)}</p>"
    if not files.items:
        return "<p>没有附件。</p>"
    rows = "".join(
        f'<tr><td><a href="{attachment_url(f.id)}">{esc(f.filename)}</a></td><td>{f.size_bytes:,} 字节</td>'
        f"<td>{when(f.uploaded_at)}</td></tr>"
        for f in files.items
    )
    return (
        '<table><caption>附件（点击文件名查看或下载）</caption><thead><tr><th scope="col">文件</th>'
        f'<th scope="col">大小</th><th scope="col">上传时间（北京时间）</th></tr></thead><tbody>{rows}</tbody></table>'
    )


async def _timeline(principal: Principal, app: ApplicationRead, kind: str) -> str:
    from programmes.applications.timeline import timeline

    entries = await timeline(principal, app.id, PageParams(limit=MAX_LIMIT))
    rows = "".join(
        f"<tr><td>{when(e.at)}</td><td>{esc(e.label)}</td><td>{esc(e.actor)}</td>"
        f"<td>{esc(status_zh(kind, e.status_after) if e.status_after else '—')}</td><td>{esc(e.reason)}</td></tr>"
        for e in entries.items
    )
    return (
        '<table><caption>办理记录</caption><thead><tr><th scope="col">时间（北京时间）</th><th scope="col">操作</th>'
        f'<th scope="col">办理人</th><th scope="col">办理后状态</th><th scope="col">原因</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _decision_forms(scope: dict[str, Any], app: ApplicationRead, errors: dict[str, str], reason: str) -> str:
    forms = []
    for action, label in DECISIONS.items():
        field_id = f"reason-{action}"
        error = errors.get(action, "")
        described = f' aria-describedby="{field_id}-error" aria-invalid="true"' if error else ""
        message = f'<p class="error" id="{field_id}-error" role="alert">{esc(error)}</p>' if error else ""
        forms.append(
            f'<form method="post" action="{application_url(app.id)}">{csrf_field(scope)}'
            f'<input type="hidden" name="action" value="{action}">'
            f'<label for="{field_id}">{esc(label)}：原因（申报单位可见）</label>'
            f'<textarea id="{field_id}" name="reason" rows="2"{described}>{esc(reason if error else "")}</textarea>'
            f'{message}<button type="submit">{esc(label.split("（")[0])}</button></form>'
        )
    return "".join(forms)


async def reader_page(
    scope: dict[str, Any],
    principal: Principal,
    application_id: int,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    notice: str = "",
) -> Response:
    from programmes.applications.service import read_for

    app = await read_for(principal, application_id)
    names = await _names(app)
    status = status_zh(names["kind"], app.status)
    returned = f"<dt>退回原因</dt><dd>{esc(app.returned_reason)}</dd>" if app.returned_reason else ""
    summary = (
        f'<dl class="answers"><dt>申报编号</dt><dd>{app.id}</dd><dt>申报单位</dt><dd>{esc(names["organisation"])}</dd>'
        f"<dt>轮次</dt><dd>{esc(names['round'])}</dd><dt>赛道</dt><dd>{esc(names['track'])}</dd>"
        f"<dt>状态</dt><dd>{esc(status)}</dd><dt>提交时间（北京时间）</dt><dd>{when(app.submitted_at)}</dd>"
        f"{returned}</dl>"
    )
    shown_notice = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    body = (
        f"{shown_notice}<section aria-labelledby='s-summary'><h2 id='s-summary'>{esc(app.title)}</h2>{summary}"
        f'<p><a href="/admin/rounds/{app.round_id}/screening">返回本轮资格审查列表</a></p></section>'
        f"<section aria-labelledby='s-answers'><h2 id='s-answers'>申报内容</h2>"
        f"{render_answers(await _schema(app), app.answers)}</section>"
        f"<section aria-labelledby='s-files'><h2 id='s-files'>附件</h2>{await _attachments(principal, app)}</section>"
        f"<section aria-labelledby='s-screening'><h2 id='s-screening'>资格审查</h2>{_findings(app)}</section>"
        f"<section aria-labelledby='s-actions'><h2 id='s-actions'>审查决定</h2>"
        f"{_decision_forms(scope, app, errors or {}, reason)}</section>"
        f"<section aria-labelledby='s-timeline'><h2 id='s-timeline'>办理记录</h2>"
        f"{await _timeline(principal, app, names['kind'])}</section>"
    )
    return page(f"申报审阅：{app.title}", body, status=422 if errors else 200)


def _validation_zh(exc: ValidationError) -> str:
    kinds = {e["type"] for e in exc.errors()}
    if "string_too_short" in kinds:
        return "请填写原因（人工认定至少 5 个字）"
    if "string_too_long" in kinds:
        return "原因过长（最多 1000 个字）"
    return "原因填写有误"


async def decide(
    scope: dict[str, Any], principal: Principal, application_id: int, action: str, reason: str
) -> Response:
    """One decision from the reader page: validated by the API's schema, taken by the API's service."""
    from programmes.applications.officer_actions import act
    from programmes.applications.screening import override
    from programmes.applications.service import read_for

    await read_for(principal, application_id)  # out of scope: the uniform 404 before anything is parsed
    if action not in DECISIONS:
        return await reader_page(scope, principal, application_id, errors={"reject": "不支持的操作"}, reason=reason)
    try:
        if action == "override":
            await override(principal, application_id, EligibilityOverride(reason=reason).reason)
        else:
            checked = OfficerAction(action=action, application_ids=[application_id], reason=reason)
            await act(principal, application_id, checked.action, checked.reason)
    except ValidationError as exc:
        return await reader_page(scope, principal, application_id, errors={action: _validation_zh(exc)}, reason=reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await reader_page(scope, principal, application_id, errors={action: exc.detail}, reason=reason)
    return redirect(f"{application_url(application_id)}?done={action}")
