"""The objections (异议) of a round's 公示 on its page: who objected to which project, what, when and where it
stands, and the officer's two actions — resolve (upheld → re-review, or dismissed) and, once the re-review's scores
are in, conclude it with a corrected notice (更正公示). Each is the API's model and service
(``ObjectionResolve`` + ``objections.resolve``, ``RereviewConclude`` + ``rereview.conclude``).

Listed oldest first, paged like every list (50 by default, at most 200); the project, organisation and the users'
names come from joins in the page's one query.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.admin.pages.feedback import Outcome, Refusal, error_of, form_int, invalid, refused, typed_of
from app.admin.pages.html import csrf_field, esc, first, options, query_string, when
from app.admin.pages.publication_round import RoundContext, publication_url
from app.admin.pages.reader import application_url
from app.admin.pages.screening import paging_of
from app.auth.principal import Principal
from app.errors import DomainError, not_found
from app.paging import PageParams, fetch_page
from programmes.workflows.publication import OBJECTION, ObjectionStatus
from scoring.publication.schemas import ObjectionResolve, RereviewConclude
from scoring.tables import Objection

DECISION_ZH = {"upheld": "异议成立，项目重新评审", "dismissed": "异议不成立，公示结果不变"}


def _columns() -> list[Any]:
    application: Any = Objection.application
    filed_by: Any = Objection.filed_by
    resolved_by: Any = Objection.resolved_by
    return [
        Objection.id,
        Objection.application,
        application.title.as_alias("title"),
        application.organisation.name.as_alias("organisation"),
        filed_by.username.as_alias("filer"),
        Objection.reason,
        Objection.status,
        Objection.resolution,
        Objection.created_at,
        Objection.resolved_at,
        resolved_by.username.as_alias("resolver"),
    ]


def _paging(params: dict[str, str]) -> PageParams:
    return paging_of({"limit": params.get("objections_limit", ""), "offset": params.get("objections_offset", "")})


def _pager(context: RoundContext, paging: PageParams, total: int) -> str:
    links = []
    for label, offset, shown in (
        ("上一页", max(0, paging.offset - paging.limit), paging.offset > 0),
        ("下一页", paging.offset + paging.limit, paging.offset + paging.limit < total),
    ):
        if shown:
            query = query_string({"objections_limit": str(paging.limit), "objections_offset": str(offset)})
            links.append(f'<a href="{publication_url(context.id)}{query}#s-objections">{label}</a>')
    last = min(total, paging.offset + paging.limit)
    return f"<p>共 {total} 条异议，当前第 {paging.offset + 1 if total else 0}–{last} 条 {' '.join(links)}</p>"


def _row(r: dict[str, Any]) -> str:
    handled = f"{esc(r['resolution'])}<br>（{esc(r['resolver'])}，{when(r['resolved_at'])}）" if r["resolver"] else "—"
    return (
        f'<tr><td>{r["id"]}</td><td><a href="{application_url(r["application"])}">{esc(r["title"])}</a>'
        f"<br>{esc(r['organisation'])}</td><td>{esc(r['filer'])}</td><td>{esc(r['reason'])}</td>"
        f"<td>{when(r['created_at'])}</td><td>{esc(OBJECTION.states.get(r['status'], r['status']))}</td>"
        f"<td>{handled}</td></tr>"
    )


def _resolve_form(scope: dict[str, Any], context: RoundContext, r: dict[str, Any], refusal: Refusal | None) -> str:
    prefix = f"obj-{r['id']}"
    decision_attrs, decision_error = error_of(refusal, f"{prefix}-decision")
    text_attrs, text_error = error_of(refusal, f"{prefix}-resolution")
    chosen = typed_of(refusal, f"{prefix}-decision", "dismissed")
    return (
        f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="resolve">'
        f'<input type="hidden" name="objection_id" value="{r["id"]}">'
        f"<fieldset><legend>处理异议 {r['id']}：{esc(r['title'])}（提出人 {esc(r['filer'])}）</legend>"
        f'<label for="{prefix}-decision">处理结果</label>'
        f'<select id="{prefix}-decision" name="decision"{decision_attrs}>'
        f"{options(DECISION_ZH.items(), chosen)}</select>{decision_error}"
        f'<label for="{prefix}-resolution">处理说明（异议人和申报单位可见，至少 2 个字）</label>'
        f'<textarea id="{prefix}-resolution" name="resolution" rows="2"{text_attrs}>'
        f"{esc(typed_of(refusal, f'{prefix}-resolution'))}</textarea>{text_error}"
        '<button type="submit">提交处理结果</button></fieldset></form>'
    )


def _conclude_form(scope: dict[str, Any], context: RoundContext, r: dict[str, Any], refusal: Refusal | None) -> str:
    prefix = f"obj-{r['id']}"
    days_attrs, days_error = error_of(refusal, f"{prefix}-days")
    note_attrs, note_error = error_of(refusal, f"{prefix}-note")
    return (
        f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="conclude">'
        f'<input type="hidden" name="objection_id" value="{r["id"]}">'
        f"<fieldset><legend>异议 {r['id']} 成立，重新评审中：{esc(r['title'])}</legend>"
        "<p>专家重新提交评分后，重新排名并更正公示名单，公示期按更正后天数重新计算。</p>"
        f'<label for="{prefix}-days">更正后公示天数（1–60）</label><input id="{prefix}-days" name="days" '
        f'inputmode="numeric" value="{esc(typed_of(refusal, f"{prefix}-days", "5"))}"{days_attrs}>{days_error}'
        f'<label for="{prefix}-note">更正说明（公开，至少 2 个字）</label>'
        f'<textarea id="{prefix}-note" name="note" rows="2"{note_attrs}>'
        f"{esc(typed_of(refusal, f'{prefix}-note'))}</textarea>{note_error}"
        '<button type="submit">完成重新评审并更正公示</button></fieldset></form>'
    )


async def objections_section(
    scope: dict[str, Any], context: RoundContext, params: dict[str, str], refusal: Refusal | None
) -> str:
    if context.publication_id is None:
        return "<p>尚未公示，公示期内才能提出异议。</p>"
    paging = _paging(params)
    query = Objection.select(*_columns()).order_by(Objection.id)
    found = await fetch_page(Objection, query, paging, Objection.publication == context.publication_id)
    if not found.total:
        return "<p>暂无异议。</p>"
    table = (
        '<table><caption>异议（按提出先后）</caption><thead><tr><th scope="col">编号</th><th scope="col">异议项目</th>'
        '<th scope="col">提出人</th><th scope="col">异议内容</th><th scope="col">提出时间（北京时间）</th>'
        '<th scope="col">状态</th><th scope="col">处理说明（处理人，时间）</th></tr></thead>'
        f"<tbody>{''.join(_row(r) for r in found.items)}</tbody></table>"
    )
    forms = "".join(
        _resolve_form(scope, context, r, refusal)
        if r["status"] == ObjectionStatus.open
        else _conclude_form(scope, context, r, refusal)
        for r in found.items
        if r["status"] in (ObjectionStatus.open, ObjectionStatus.upheld)
    )
    return f"{_pager(context, paging, found.total)}{table}{forms}"


async def _own_objection(context: RoundContext, given: str) -> int:
    """The objection id of the form, if it belongs to this round's notice (another round's is not found here)."""
    if not given.isdigit() or len(given) > 9 or context.publication_id is None:
        raise not_found("异议")
    row = await Objection.select(Objection.publication).where(Objection.id == int(given)).first()
    if row is None or row["publication"] != context.publication_id:
        raise not_found("异议")
    return int(given)


async def resolve_objection(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.publication.objections import resolve

    objection_id = await _own_objection(context, first(form, "objection_id"))
    prefix = f"obj-{objection_id}"
    typed = {f"{prefix}-decision": first(form, "decision"), f"{prefix}-resolution": first(form, "resolution")}
    try:
        checked = ObjectionResolve.model_validate(
            {"decision": first(form, "decision"), "resolution": first(form, "resolution")}
        )
    except ValidationError as exc:
        ids = {"decision": f"{prefix}-decision", "resolution": f"{prefix}-resolution"}
        return invalid(exc, ids, typed, f"{prefix}-resolution")
    try:
        await resolve(principal, objection_id, checked.decision == "upheld", checked.resolution)
    except DomainError as exc:
        return refused(f"{prefix}-resolution", exc, typed)
    return "upheld" if checked.decision == "upheld" else "dismissed"


async def conclude_rereview(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.publication.rereview import conclude

    objection_id = await _own_objection(context, first(form, "objection_id"))
    prefix = f"obj-{objection_id}"
    typed = {f"{prefix}-days": first(form, "days"), f"{prefix}-note": first(form, "note")}
    try:
        checked = RereviewConclude.model_validate({"days": form_int(first(form, "days")), "note": first(form, "note")})
    except ValidationError as exc:
        return invalid(exc, {"days": f"{prefix}-days", "note": f"{prefix}-note"}, typed, f"{prefix}-note")
    try:
        await conclude(principal, objection_id, checked.days, checked.note)
    except DomainError as exc:
        return refused(f"{prefix}-note", exc, typed)
    return "concluded"
