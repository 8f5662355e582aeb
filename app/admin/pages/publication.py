"""A round's 公示 and 晋级 page, ``/admin/rounds/{id}/publication`` (issue 16, task 5), and its rounds index
``/admin/publication`` (sidebar 「公示与晋级」):

- 公示: not yet published → the publish form (days, 入围总数, 分数线; ``PublishRequest`` + ``service.publish``); then
  the list as published with ranks, tracks and districts, its period in Beijing time, its corrections, the finalise
  button (``service.finalise``: refused with the service's message before the period ends) and an xlsx of the list;
- 异议 (app.admin.pages.objections) and 晋级下一阶段 (app.admin.pages.advance).

Every action is one POST with an ``action`` field, validated by the API's model and taken by the API's service with
the session's principal; done → redirect with ``?done=…`` (the quota kept), refused → the page again with the message
next to the field and nothing changed. The round is loaded with the API's scope rule first: a district officer gets
the uniform 404 for another district's round, and an objection of another round is not found here.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from openpyxl import Workbook
from piccolo.query.functions.aggregate import Count
from pydantic import ValidationError
from starlette.responses import Response

from app.access import staff_filter
from app.admin.pages.advance import advance_section, commit_advance, decide_tie, parse_quota, quota_values
from app.admin.pages.feedback import TOP, Outcome, Refusal, error_of, form_int, invalid, refused, typed_of
from app.admin.pages.html import csrf_field, esc, first, page, query_string, redirect, when
from app.admin.pages.objections import conclude_rereview, objections_section, resolve_objection
from app.admin.pages.publication_round import RoundContext, district_zh, publication_url, round_context
from app.admin.pages.reader import application_url
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import XLSX
from app.auth.principal import Principal
from app.errors import DomainError
from app.timezone import now_utc
from programmes.tables import Application, Round
from programmes.workflows import RoundStatus
from programmes.workflows.contest import CONTEST_ROUND
from programmes.workflows.publication import PUBLICATION, ObjectionStatus, PublicationStatus
from scoring.publication.schemas import PublicationRead, PublishRequest
from scoring.tables import Objection, Publication, RankingEntry

DONE_ZH = {
    "published": "公示已发布，已通知各申报单位",
    "dismissed": "异议已处理：不成立，公示结果不变",
    "upheld": "异议已处理：成立，该项目已退回专家重新评审",
    "concluded": "重新评审已完成，公示已更正，公示期重新计算",
    "finalised": "公示结果已生效",
    "tie": "并列已裁定，并记入审计日志",
    "advanced": "晋级已确认：晋级项目已带入下一阶段，其余为未晋级，均已通知",
}
TIE_HINT = "请在下方「晋级下一阶段」填写相同的晋级总数和分数线预览，在「入围线并列」中裁定后再发布"
INDEX_ROUNDS = 200
SHOWN_ENTRIES = 500  # on the page; the xlsx has the whole list


async def _entry_rows(round_id: int, publication: PublicationRead) -> list[dict[str, Any]]:
    """The published list with each entry's rank, track and district: two queries, whatever its length."""
    ids = [e.application_id for e in publication.entries]
    ranks = {
        r["application"]: r["rank"]
        for r in await RankingEntry.select(RankingEntry.application, RankingEntry.rank).where(
            (RankingEntry.round == round_id) & RankingEntry.application.is_in(ids or [0])
        )
    }
    track: Any = Application.track
    more = {
        r["id"]: r
        for r in await Application.select(
            Application.id, Application.organisation_district, track.name.as_alias("track_name")
        ).where(Application.id.is_in(ids or [0]))
    }
    return [
        {
            "application_id": e.application_id,
            "title": e.title,
            "organisation": e.organisation,
            "rank": ranks.get(e.application_id),
            "track": (more.get(e.application_id) or {}).get("track_name") or "—",
            "district": district_zh((more.get(e.application_id) or {}).get("organisation_district")),
        }
        for e in publication.entries
    ]


def _publish_form(scope: dict[str, Any], context: RoundContext, refusal: Refusal | None) -> str:
    if context.status != RoundStatus.closed:
        return "<p>轮次关闭并完成排名后才能公示。</p>"
    fields = []
    for field_id, name, label, default in (
        ("pub-days", "days", "公示天数（1–60，必填）", "7"),
        ("pub-top_n", "top_n", "入围总数（留空则按各赛道名额）", ""),
        ("pub-cutoff", "cutoff", "分数线（含，留空表示不限）", ""),
    ):
        attrs, error = error_of(refusal, field_id)
        fields.append(
            f'<label for="{field_id}">{label}</label><input id="{field_id}" name="pub_{name}" '
            f'value="{esc(typed_of(refusal, field_id, default))}"{attrs}>{error}'
        )
    example = when(now_utc() + timedelta(days=7))
    _, error = error_of(refusal, "pub-submit")
    return (
        f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="publish">'
        f"<p>公示期自发布时开始（北京时间），按公示天数计算：例如现在发布 7 天，公示期至 {example}。"
        "发布后各申报单位收到结果通知，公示期内任何人可提出异议。</p>"
        f'{"".join(fields)}<button type="submit" id="pub-submit">发布公示</button>{error}</form>'
    )


def _corrections(publication: PublicationRead) -> str:
    if not publication.corrections:
        return ""
    items = "".join(
        f"<li>{when(c.at)}：新增 {len(c.added)} 个、移出 {len(c.removed)} 个，公示期至 {when(c.ends_at)}。"
        f"说明：{esc(c.note)}</li>"
        for c in publication.corrections
    )
    return f"<h3>更正公示记录</h3><ol>{items}</ol>"


async def _notice_section(scope: dict[str, Any], context: RoundContext, refusal: Refusal | None) -> str:
    from scoring.publication.service import read

    if context.publication_id is None:
        return "<p>本轮尚未公示。</p>" + _publish_form(scope, context, refusal)
    publication = await read(context.publication_id)
    rows = await _entry_rows(context.id, publication)
    body = "".join(
        f'<tr><td>{r["rank"] or "—"}</td><td><a href="{application_url(r["application_id"])}">{esc(r["title"])}</a>'
        f"</td><td>{esc(r['organisation'])}</td><td>{esc(r['track'])}</td><td>{esc(r['district'])}</td></tr>"
        for r in rows[:SHOWN_ENTRIES]
    )
    more = f"<p>仅显示前 {SHOWN_ENTRIES} 个，完整名单请下载 Excel。</p>" if len(rows) > SHOWN_ENTRIES else ""
    status = PUBLICATION.states.get(publication.status, publication.status)
    finalise = ""
    if publication.status == PublicationStatus.published:
        _, error = error_of(refusal, "fin-submit")
        finalise = (
            f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}'
            '<input type="hidden" name="action" value="finalise">'
            "<p>公示期满且没有待处理的异议（含重新评审中的）后，可使结果生效：公示名单上的项目进入下一步。</p>"
            f'<button type="submit" id="fin-submit">公示结果生效</button>{error}</form>'
        )
    return (
        f"<p>状态：<strong>{esc(status)}</strong>；公示期 {when(publication.starts_at)} 至 "
        f"{when(publication.ends_at)}（北京时间）；名单共 {len(rows)} 个项目。</p>"
        f'<p><a href="{publication_url(context.id)}.xlsx">下载公示名单（xlsx）</a></p>'
        '<table><caption>公示名单</caption><thead><tr><th scope="col">名次</th><th scope="col">申报项目</th>'
        '<th scope="col">申报单位</th><th scope="col">赛道</th><th scope="col">所在区</th></tr></thead>'
        f"<tbody>{body}</tbody></table>{more}{_corrections(publication)}{finalise}"
    )


async def publication_page(
    request: PageRequest, *, refusal: Refusal | None = None, values: dict[str, str] | None = None
) -> Response:
    context = await round_context(request.principal, request.object_id)
    quota = quota_values(values if values is not None else request.params, context)
    if refusal is None:  # a quota typed into the preview's GET form is checked like a POST's
        checked = parse_quota(quota, context)
        refusal = checked if isinstance(checked, Refusal) else None
    done = DONE_ZH.get(request.params.get("done", ""), "")
    notice = f'<p class="notice" role="status">{esc(done)}</p>' if done and refusal is None else ""
    round_status = CONTEST_ROUND.states.get(context.status, context.status)
    sections = (
        f"<p>轮次状态：{esc(round_status)} · "
        '<a href="/admin/publication">返回公示与晋级轮次列表</a></p>'
        f"<section aria-labelledby='s-notice'><h2 id='s-notice'>公示</h2>"
        f"{await _notice_section(request.scope, context, refusal)}</section>"
        f"<section aria-labelledby='s-objections'><h2 id='s-objections'>异议</h2>"
        f"{await objections_section(request.scope, context, request.params, refusal)}</section>"
        f"<section aria-labelledby='s-advance'><h2 id='s-advance'>晋级下一阶段</h2>"
        f"{await advance_section(request.scope, request.principal, context, quota, refusal)}</section>"
    )
    # A message whose field is not on the page (the form is gone: published meanwhile, objection already handled)
    # is shown at the top instead of being lost.
    unplaced = [m for f, m in (refusal.errors if refusal else {}).items() if f'id="{f}-error"' not in sections]
    top = "".join(f'<p class="error" role="alert">{esc(m)}</p>' for m in unplaced)
    body = f"{notice}{top}{sections}"
    return page(f"公示与晋级：{context.title}", body, status=refusal.status if refusal else 200)


async def _publish(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.publication.service import publish

    # ``pub_…``: the advance's quota fields are ``top_n`` and ``cutoff`` too, and are kept across its actions.
    typed = {f"pub-{k}": first(form, f"pub_{k}") for k in ("days", "top_n", "cutoff")}
    values = {"days": form_int(typed["pub-days"]), "top_n": form_int(typed["pub-top_n"])}
    values["cutoff"] = typed["pub-cutoff"].strip() or None
    try:
        checked = PublishRequest.model_validate(values)
    except ValidationError as exc:
        return invalid(exc, {k: f"pub-{k}" for k in ("days", "top_n", "cutoff")}, typed, "pub-submit")
    try:
        await publish(principal, context.id, checked.days, checked.top_n, checked.cutoff)
    except DomainError as exc:
        return refused("pub-submit", exc, typed, hint=TIE_HINT if exc.code == "cut_line_tie_undecided" else "")
    return "published"


async def _finalise(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.publication.service import finalise

    if context.publication_id is None:
        return Refusal({TOP: "本轮尚未公示"})
    try:
        await finalise(principal, context.publication_id)
    except DomainError as exc:
        return refused("fin-submit", exc)
    return "finalised"


Action = Callable[[Principal, RoundContext, dict[str, list[str]]], Awaitable[Outcome]]
ACTIONS: dict[str, Action] = {
    "publish": _publish,
    "resolve": resolve_objection,
    "conclude": conclude_rereview,
    "finalise": _finalise,
    "decide_tie": decide_tie,
    "advance": commit_advance,
}


async def _act(request: PageRequest) -> Response:
    context = await round_context(request.principal, request.object_id)  # out of scope: 404 before anything
    action = ACTIONS.get(first(request.form, "action"))
    values = {k: first(request.form, k) for k in request.form}
    outcome = await action(request.principal, context, request.form) if action else Refusal({TOP: "不支持的操作"})
    if isinstance(outcome, Refusal):
        return await publication_page(request, refusal=outcome, values=values)
    kept = quota_values(values, context)
    return redirect(f"{publication_url(context.id)}{query_string({**kept, 'done': outcome})}")


async def _page(request: PageRequest) -> Response:
    return await publication_page(request)


async def _xlsx(request: PageRequest) -> Response:
    """The list as published now (after any correction), every entry, with rank, track and district."""
    from scoring.publication.service import read

    context = await round_context(request.principal, request.object_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("公示名单")
    sheet.append(["名次", "申报编号", "申报项目", "申报单位", "赛道", "所在区"])
    if context.publication_id is not None:
        publication = await read(context.publication_id)
        for r in await _entry_rows(context.id, publication):
            sheet.append([r["rank"], r["application_id"], r["title"], r["organisation"], r["track"], r["district"]])
        sheet.append([])
        sheet.append(["公示期（北京时间）", f"{when(publication.starts_at)} 至 {when(publication.ends_at)}"])
    data = io.BytesIO()
    workbook.save(data)
    name = f"round-{context.id}-publication.xlsx"
    return Response(data.getvalue(), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _index(request: PageRequest) -> Response:
    """The rounds in the officer's scope, newest first, each with where its 公示 stands (three queries)."""
    rounds = await (
        Round.select(Round.id, Round.name, Round.status, Round.edition.title)
        .where(*staff_filter(request.principal, Round.scope_district))
        .order_by(Round.id, ascending=False)
        .limit(INDEX_ROUNDS)
    )
    ids = [r["id"] for r in rounds] or [0]
    notices = {
        p["round"]: p
        for p in await Publication.select(
            Publication.id, Publication.round, Publication.status, Publication.ends_at
        ).where(Publication.round.is_in(ids))
    }
    open_counts = {
        r["publication"]: r["count"]
        for r in await Objection.select(Objection.publication, Count())
        .where(
            Objection.publication.is_in([p["id"] for p in notices.values()] or [0])
            & Objection.status.is_in([ObjectionStatus.open, ObjectionStatus.upheld])
        )
        .group_by(Objection.publication)
    }

    def notice_of(round_id: int) -> str:
        found = notices.get(round_id)
        if found is None:
            return "未公示"
        label = PUBLICATION.states.get(found["status"], found["status"])
        until = f"（至 {when(found['ends_at'])}）" if found["status"] == PublicationStatus.published else ""
        return f"{label}{until}"

    rows = "".join(
        f'<tr><td><a href="{publication_url(r["id"])}">{esc(r["edition.title"])} · {esc(r["name"])}</a></td>'
        f"<td>{esc(CONTEST_ROUND.states.get(r['status'], r['status']))}</td><td>{esc(notice_of(r['id']))}</td>"
        f"<td>{open_counts.get((notices.get(r['id']) or {}).get('id'), 0)}</td></tr>"
        for r in rounds
    )
    table = (
        f'<table><caption>轮次（最近 {INDEX_ROUNDS} 个）</caption><thead><tr><th scope="col">轮次</th>'
        '<th scope="col">轮次状态</th><th scope="col">公示</th><th scope="col">未了结的异议</th></tr></thead>'
        f"<tbody>{rows or '<tr><td colspan=4>暂无轮次</td></tr>'}</tbody></table>"
    )
    return page("公示与晋级", f"<section aria-labelledby='s-rounds'><h2 id='s-rounds'>选择轮次</h2>{table}</section>")


PUBLICATION_ROUTES = [
    PageRoute(r"/publication", _index),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/publication", _page, _act),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/publication\.xlsx", _xlsx),
]
