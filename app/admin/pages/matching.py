"""聚力计划 sessions in the admin (issue 16, task 7): ``/admin/matching`` lists the sessions in scope with their counts;
``/admin/matching/sessions/{id}`` shows the preview (pairs with scores and the reasons term by term, unmatched demands
with why) and runs it: open, preview, add or remove a pair, publish, re-match, close — each the API's service
(``programmes.matching.sessions``) with the officer's principal, as the 聚力计划 forms do.

Scope is the service's: a session outside a district officer's district is the uniform 404. Names come from one
query per related table for the whole page, never a query per row.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from app.admin.pages.html import csrf_field, esc, first, options, page, redirect
from app.admin.pages.parts import (
    alert,
    button_form,
    district_zh,
    form_id,
    link,
    notice,
    pager,
    section,
    table,
)
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import paging_of
from app.auth.principal import Principal
from app.errors import DomainError
from app.paging import MAX_LIMIT, PageParams
from programmes.matching.schemas_session import PairAdd, SessionPairRead, SessionRead
from programmes.matching.score import TERM_LABELS_ZH
from programmes.matching.tables import Demand, ServiceOffer, SessionPair
from programmes.workflows.demand import OfferStatus
from programmes.workflows.orders import SessionStatus

KIND_ZH = {"general": "交流对接活动", "special": "专场"}
# The session actions this page offers: form action → (button, what the officer is told once it is done).
ACTIONS = {
    "open": ("开启对接", "对接活动已开启"),
    "preview": ("计算对接预览", "已重新计算对接预览（覆盖此前的预览）"),
    "add": ("增加配对", "已增加配对"),
    "remove": ("移除配对", "已移除配对"),
    "publish": ("发布对接结果", "对接结果已发布：已生成订单并通知社会组织与社区"),
    "rematch": ("婉拒后重新对接", "已重新开放预览，已有订单保持不变"),
    "close": ("结束活动", "对接活动已结束"),
}
# Which buttons a session's state offers (the workflow refuses the rest anyway).
_STATE_ACTIONS = {"draft": ("open",), "open": ("preview", "publish"), "published": ("rematch", "close")}


def session_url(session_id: int) -> str:
    return f"/admin/matching/sessions/{session_id}"


async def _spread(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per session: distinct demands (paired or unmatched) and distinct offers in its preview, in one query."""
    if not session_ids:
        return {}
    rows = await SessionPair.raw(
        "SELECT session, count(DISTINCT demand) AS demands, count(DISTINCT offer) AS offers FROM ("
        " SELECT session, demand, offer FROM session_pair WHERE session = ANY({}::int[])"
        " UNION ALL SELECT session, demand, NULL FROM session_unmatched WHERE session = ANY({}::int[])"
        ") AS seen GROUP BY session",
        session_ids,
        session_ids,
    )
    return {int(r["session"]): (int(r["demands"]), int(r["offers"])) for r in rows}


async def sessions_index(request: PageRequest) -> Response:
    from programmes.matching import sessions

    paging = paging_of(request.params)
    listed = await sessions.list_for(request.principal, paging)
    spread = await _spread([s.id for s in listed.items])
    rows = [
        (
            link(session_url(s.id), s.title),
            KIND_ZH.get(s.kind, s.kind),
            district_zh(s.district),
            s.status_zh,
            spread.get(s.id, (0, 0))[0],
            spread.get(s.id, (0, 0))[1],
            s.pairs,
            s.unmatched,
        )
        for s in listed.items
    ]
    headers = ("活动名称", "类型", "范围", "状态", "需求数", "服务项目数", "对接组数", "未对接需求")
    body = (
        "<p>新建对接活动请用表单「开启对接活动」；需求审核、服务中的订单与案例见下方链接。</p>"
        '<p><a href="/admin/matching/demands">需求审核</a> · <a href="/admin/matching/orders">订单与案例</a></p>'
        + section(
            "sessions",
            "对接活动（最新在前）",
            pager("/admin/matching", paging, listed.total) + table("范围内的对接活动", headers, rows),
        )
    )
    return page("聚力计划对接", body)


async def _names(pairs: list[SessionPairRead], demand_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Demands as 「标题（社区，区 街镇）」 and offers as 「标题（机构）」, one query each."""
    wanted = sorted({p.demand_id for p in pairs} | set(demand_ids))
    community: Any = Demand.community
    demands = (
        await Demand.select(Demand.id, Demand.title, community.name.as_alias("community"), Demand.district)
        .where(Demand.id.is_in(wanted))
        .output(nested=False)
        if wanted
        else []
    )
    offer_ids = sorted({p.offer_id for p in pairs})
    organisation: Any = ServiceOffer.organisation
    offers = (
        await ServiceOffer.select(
            ServiceOffer.id, ServiceOffer.title, organisation.name.as_alias("organisation")
        ).where(ServiceOffer.id.is_in(offer_ids))
        if offer_ids
        else []
    )
    return (
        {int(d["id"]): f"{d['title']}（{district_zh(d['district'])} · {d['community']}）" for d in demands},
        {int(o["id"]): f"{o['title']}（{o['organisation']}）" for o in offers},
    )


async def _offer_choices(district: str | None) -> list[tuple[str, str]]:
    """Offers an officer may pair by hand: matchable ones serving the session's district (any, for a city-wide
    session), so a district officer is offered no unrelated organisation; the service checks every rule again."""
    organisation: Any = ServiceOffer.organisation
    where: list[Any] = [ServiceOffer.status == OfferStatus.approved]
    if district:
        where.append((ServiceOffer.city_wide == True) | ServiceOffer.districts_served.any(district))  # noqa: E712
    rows = (
        await ServiceOffer.select(ServiceOffer.id, ServiceOffer.title, organisation.name.as_alias("organisation"))
        .where(*where)
        .order_by(ServiceOffer.id)
        .limit(MAX_LIMIT)
    )
    return [(str(r["id"]), f"{r['title']}（{r['organisation']}）") for r in rows]


def _more(total: int, shown: int) -> str:
    return (
        f"<p>共 {total} 条，此处显示前 {shown} 条（完整名单见侧栏「聚力计划」分组下的对接预览表）。</p>"
        if total > shown
        else ""
    )


def _terms(terms: dict[str, int]) -> str:
    return "；".join(f"{TERM_LABELS_ZH.get(k, k)} {v}" for k, v in terms.items() if v) or "—"


def _actions(scope: dict[str, Any], shown: SessionRead) -> str:
    buttons = [
        button_form(scope, session_url(shown.id), ACTIONS[a][0], {"action": a})
        for a in _STATE_ACTIONS.get(shown.status, ())
    ]
    return " ".join(buttons) or "<p>本活动当前状态下没有可执行的操作。</p>"


async def session_page(
    scope: dict[str, Any], principal: Principal, session_id: int, *, done: str = "", error: str = "", status: int = 200
) -> Response:
    from programmes.matching import sessions

    shown = await sessions.read_for(principal, session_id)
    # One page of each (at most 200 rows; a session larger than that says so rather than paging two lists at once).
    paired = await sessions.pairs(principal, session_id, PageParams(limit=MAX_LIMIT))
    left = await sessions.unmatched(principal, session_id, PageParams(limit=MAX_LIMIT))
    pairs, unmatched = paired.items, left.items
    demand_names, offer_names = await _names(pairs, [u.demand_id for u in unmatched])
    adjustable = shown.status == SessionStatus.open
    url = session_url(session_id)
    pair_rows = [
        (
            demand_names.get(p.demand_id, "—"),
            offer_names.get(p.offer_id, "—"),
            p.score,
            _terms(p.terms),
            "官员手工增加" if p.source == "officer" else "系统计算",
            button_form(scope, url, "移除", {"action": "remove", "pair_id": p.id}, name=f"移除配对 {p.id}")
            if adjustable
            else "—",
        )
        for p in pairs
    ]
    unmatched_rows = [(demand_names.get(u.demand_id, "—"), u.detail_zh or u.reason) for u in unmatched]
    summary = (
        f'<dl class="answers"><dt>类型</dt><dd>{esc(KIND_ZH.get(shown.kind, shown.kind))}</dd>'
        f"<dt>范围</dt><dd>{esc(district_zh(shown.district))}</dd><dt>状态</dt><dd>{esc(shown.status_zh)}</dd>"
        f"<dt>对接组数 / 总分</dt><dd>{shown.pairs} 组 / {shown.score_total} 分</dd>"
        f"<dt>未对接需求</dt><dd>{shown.unmatched} 条</dd></dl>"
        '<p><a href="/admin/matching">返回对接活动列表</a></p>'
    )
    body = notice(done) + alert(error) + section("summary", "活动概况", summary)
    body += section("actions", "操作", _actions(scope, shown))
    body += section(
        "pairs",
        "对接预览",
        _more(paired.total, len(pairs))
        + table(
            "预览中的配对（得分与各项得分明细）", ("需求", "服务项目", "得分", "得分明细", "来源", "调整"), pair_rows
        ),
    )
    body += section(
        "unmatched",
        "未对接的需求",
        _more(left.total, len(unmatched)) + table("未对接的需求及原因", ("需求", "原因"), unmatched_rows),
    )
    if adjustable:
        demands = [(str(d), name) for d, name in demand_names.items()]
        offers = await _offer_choices(shown.district)
        add = (
            f'<form method="post" action="{url}">{csrf_field(scope)}<input type="hidden" name="action" value="add">'
            f'<label for="add-demand">需求</label><select id="add-demand" name="demand_id">{options(demands, "")}'
            f'</select><label for="add-offer">服务项目（已入库）</label><select id="add-offer" name="offer_id">'
            f'{options(offers, "")}</select><button type="submit">增加配对</button></form>'
        )
        body += section("add", "手工增加配对", add)
    return page(f"聚力计划对接：{shown.title}", body, status=status)


async def session_act(request: PageRequest) -> Response:
    """One session action, validated like the API (``PairAdd``) and taken by its service; a refusal is shown."""
    from programmes.matching import sessions

    principal, session_id, form = request.principal, request.object_id, request.form
    await sessions.read_for(principal, session_id)  # out of scope: the uniform 404 before anything is parsed
    action = first(form, "action")

    async def refuse(message: str) -> Response:
        return await session_page(request.scope, principal, session_id, error=message, status=422)

    if action not in ACTIONS:
        return await refuse("不支持的操作")
    try:
        if action == "add":
            chosen = PairAdd.model_validate(
                {"demand_id": form_id(form, "demand_id"), "offer_id": form_id(form, "offer_id")}
            )
            await sessions.add_pair(principal, session_id, chosen)
        elif action == "remove":
            pair_id = form_id(form, "pair_id")
            if pair_id is None:
                return await refuse("请选择要移除的配对")
            await sessions.remove_pair(principal, session_id, pair_id)
        else:
            await getattr(sessions, "open_session" if action == "open" else action)(principal, session_id)
    except ValidationError:
        return await refuse("增加配对须选择需求和服务项目")
    except DomainError as exc:
        if exc.status == 404 and action != "remove":
            raise
        return await refuse(exc.detail)
    return redirect(f"{session_url(session_id)}?done={action}")


async def _session_get(request: PageRequest) -> Response:
    done = ACTIONS.get(request.params.get("done", ""), ("", ""))[1]
    return await session_page(request.scope, request.principal, request.object_id, done=done)


MATCHING_ROUTES = [
    PageRoute(r"/matching", sessions_index),
    PageRoute(r"/matching/sessions/(?P<id>[0-9]{1,10})", _session_get, session_act),
]
