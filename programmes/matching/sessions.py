"""Matching sessions (交流对接活动, 专场): an officer in scope creates one, opens it, previews the optimal matching
(``candidates`` loads the problem, ``solver.solve`` solves it, the preview is written in bulk), adjusts it by hand,
publishes it (matched orders for the organisations to accept), re-matches the remainder after declines, closes it.

Every change to a session's preview holds the session's row lock, so a preview, an adjustment and a publication
never interleave. Publishing inserts the orders with ``ON CONFLICT DO NOTHING`` on the one-live-order-per-pair
index: a pair that got an order meanwhile (an application chosen) is skipped, never doubled.
"""

from __future__ import annotations

import json
from typing import Any

from app.access import load, protect
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, invalid, not_found
from app.notifications.service import notify_organisations
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching import candidates, orders, score, solver
from programmes.matching.problem import Solution
from programmes.matching.schemas_session import (
    PairAdd,
    SessionCreate,
    SessionPairRead,
    SessionRead,
    SessionUnmatchedRead,
)
from programmes.matching.solver_explain import detail_zh
from programmes.matching.tables import (
    MatchingSession,
    MatchingTag,
    MatchOrder,
    SessionKind,
    SessionPair,
    SessionUnmatched,
)
from programmes.workflows.demand import DEMAND, OFFER
from programmes.workflows.orders import SESSION

SESSIONS = protect(MatchingSession, "对接活动")


async def _checked_tags(tags: list[str]) -> list[str]:
    wanted = sorted(set(tags))
    if not wanted:
        return []
    known = {r["code"] for r in await MatchingTag.select(MatchingTag.code).where(MatchingTag.code.is_in(wanted))}
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise invalid("unknown_tag", f"标签不存在：{'、'.join(unknown)}", "required_tags")
    return wanted


async def create(principal: Principal, data: SessionCreate) -> SessionRead:
    if principal.is_city_staff:
        district = data.district.value if data.district else None
    elif data.district is not None and data.district.value != principal.district:
        raise invalid("session_out_of_scope", "区级官员只能在本区开展对接活动", "district")
    else:
        district = principal.district
    if data.kind is SessionKind.special and not (data.required_tags or data.organisation_types):
        raise DomainError(
            "special_session_unrestricted",
            "专场须限定标签或组织类型",
            422,
            [FieldError("required_tags", "special_session_unrestricted", "专场须限定标签或组织类型")],
        )
    tags = await _checked_tags(data.required_tags)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await MatchingSession.insert(
            MatchingSession(
                title=data.title,
                kind=data.kind,
                required_tags=tags,
                organisation_types=sorted({t.value for t in data.organisation_types}),
                rules=data.rules.model_dump(),
                status=SESSION.initial,
                scope_district=district,
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        ).returning(MatchingSession.id)
        session_id = int(rows[0]["id"])
        await uow.audit("matching_session.create", "matching_session", session_id, after=data.model_dump(mode="json"))
    return await read(session_id)


async def _step(principal: Principal, session_id: int, action: str, reason: str = "") -> SessionRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, MatchingSession, session_id, lock=True)
        await uow.transition(MatchingSession, session_id, action, reason=reason)
    return await read(session_id)


async def open_session(principal: Principal, session_id: int) -> SessionRead:
    return await _step(principal, session_id, "open")


async def close(principal: Principal, session_id: int) -> SessionRead:
    return await _step(principal, session_id, "close")


async def cancel(principal: Principal, session_id: int, reason: str) -> SessionRead:
    return await _step(principal, session_id, "cancel", reason)


async def rematch(principal: Principal, session_id: int) -> SessionRead:
    """After declines: the session is open again; its next preview covers only what is still wanted."""
    return await _step(principal, session_id, "rematch")


async def _adjustable(principal: Principal, session_id: int) -> dict[str, Any]:
    session = await load(principal, MatchingSession, session_id, lock=True, load_json=True)
    if not SESSION.has(session["status"], "adjustable"):
        raise conflict(
            "session_not_adjustable", f"当前活动状态（{SESSION.states[session['status']]}）不能预览或调整对接结果"
        )
    return session


async def preview(principal: Principal, session_id: int) -> SessionRead:
    """Solve the session's problem and write it as the preview (replacing any earlier one, hand-made pairs too)."""
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await _adjustable(principal, session_id)
        loaded = await candidates.load_problem(session)
        solution = solver.solve(loaded.problem)
        await write_preview(session_id, solution)
        await MatchingSession.update({MatchingSession.previewed_at: now_utc()}).where(MatchingSession.id == session_id)
        await uow.audit(
            "matching_session.preview",
            "matching_session",
            session_id,
            after={
                "pairs": len(solution.pairs),
                "unmatched": len(solution.unmatched),
                "objective": solution.objective,
                "optimal": solution.optimal,
                "solver": solution.solver,
            },
        )
    return await read(session_id)


async def write_preview(session_id: int, solution: Solution) -> None:
    """The preview in two statements whatever its size (arrays unnested server-side)."""
    await SessionPair.delete().where(SessionPair.session == session_id)
    await SessionUnmatched.delete().where(SessionUnmatched.session == session_id)
    pairs = solution.pairs
    await SessionPair.raw(
        "INSERT INTO session_pair (session, demand, offer, score, terms, source, created_at)"
        " SELECT {}, d, o, s, t::jsonb, 'solver', now()"
        " FROM unnest({}::int[], {}::int[], {}::int[], {}::text[]) AS p(d, o, s, t)",
        session_id,
        [p.demand_id for p in pairs],
        [p.offer_id for p in pairs],
        [p.score for p in pairs],
        [json.dumps(dict(p.terms)) for p in pairs],
    )
    explained = solution.explanations
    rules_zh = score.EXCLUSION_ZH
    await SessionUnmatched.raw(
        "INSERT INTO session_unmatched (session, demand, reason_code, detail_zh, created_at)"
        " SELECT {}, d, r, z, now() FROM unnest({}::int[], {}::text[], {}::text[]) AS u(d, r, z)",
        session_id,
        list(solution.unmatched),
        list(solution.unmatched.values()),
        [detail_zh(explained[d], rules_zh) if d in explained else "" for d in solution.unmatched],
    )


async def add_pair(principal: Principal, session_id: int, data: PairAdd) -> SessionPairRead:
    """An officer's pair: allowed by the same rules as the solver's, within the demand's wanted and the offer's
    free units counting the preview's other pairs."""
    async with unit_of_work(Actor.of(principal)) as uow:
        session = await _adjustable(principal, session_id)
        demand, wanted, offer = await candidates.load_pair(session, data.demand_id, data.offer_id)
        verdict = score.assess(demand, offer, candidates.session_rules(session))
        if verdict.excluded is not None:
            raise conflict(f"pair_{verdict.excluded}", f"不能对接：{score.EXCLUSION_ZH[verdict.excluded]}")
        taken = await SessionPair.count().where(
            SessionPair.session == session_id, SessionPair.demand == demand.demand_id
        )
        if taken >= wanted:
            raise conflict("pair_demand_full", "该需求在本次对接中已有足够的服务方")
        used = await SessionPair.count().where(SessionPair.session == session_id, SessionPair.offer == offer.offer_id)
        if used >= offer.free:
            raise conflict("pair_offer_full", "该服务项目在本次对接中已无剩余承接能力")
        if await SessionPair.exists().where(
            SessionPair.session == session_id,
            SessionPair.demand == demand.demand_id,
            SessionPair.offer == offer.offer_id,
        ):
            raise conflict("pair_exists", "该对接已在预览中")
        rows = await SessionPair.insert(
            SessionPair(
                session=session_id,
                demand=demand.demand_id,
                offer=offer.offer_id,
                score=verdict.score,
                terms=dict(verdict.terms),
                source="officer",
                created_at=now_utc(),
            )
        ).returning(*SessionPair.all_columns())
        await SessionUnmatched.delete().where(
            SessionUnmatched.session == session_id, SessionUnmatched.demand == demand.demand_id
        )
        await uow.audit(
            "matching_session.add_pair",
            "matching_session",
            session_id,
            after={"demand_id": demand.demand_id, "offer_id": offer.offer_id},
        )
    return _pair_read(dict(rows[0]))


async def remove_pair(principal: Principal, session_id: int, pair_id: int) -> None:
    async with unit_of_work(Actor.of(principal)) as uow:
        await _adjustable(principal, session_id)
        rows = (
            await SessionPair.delete()
            .where(SessionPair.id == pair_id, SessionPair.session == session_id)
            .returning(SessionPair.demand, SessionPair.offer)
        )
        if not rows:
            raise not_found("对接预览")
        await uow.audit(
            "matching_session.remove_pair",
            "matching_session",
            session_id,
            after={"demand_id": rows[0]["demand"], "offer_id": rows[0]["offer"]},
        )


def _publish_sql() -> str:
    # One order per preview pair. A demand closed or an offer suspended since the preview gets none; a pair that got
    # a live order meanwhile (an application chosen) is skipped by the one-live-order-per-pair index.
    return f"""
INSERT INTO match_order (demand, offer, organisation, session, offer_version, score, status, decision_reason,
                         scope_district, created_at)
SELECT p.demand, p.offer, s.organisation, p.session, s.version, p.score, 'matched', '', d.scope_district, now()
  FROM session_pair p JOIN service_offer s ON s.id = p.offer JOIN demand d ON d.id = p.demand
 WHERE p.session = {{}} AND d.status IN ({candidates.states_sql(DEMAND.states_with("takeable"))})
   AND s.status IN ({candidates.states_sql(OFFER.states_with("matchable"))})
 ORDER BY p.id
    ON CONFLICT (demand, offer) WHERE status IN ('matched', 'accepted', 'in_delivery', 'delivered', 'evaluated')
    DO NOTHING RETURNING id, demand, organisation
"""  # noqa: S608 — only code constants are interpolated


async def publish(principal: Principal, session_id: int) -> SessionRead:
    """The preview becomes matched orders (one per pair, skipping a pair that got a live order meanwhile); each
    organisation and community hears of its new orders."""
    async with unit_of_work(Actor.of(principal)) as uow:
        await load(principal, MatchingSession, session_id, lock=True)
        await uow.transition(MatchingSession, session_id, "publish", values={"published_at": now_utc()})
        created = await MatchOrder.raw(
            _publish_sql(),
            session_id,
        )
        await uow.audit(
            "matching_session.orders", "matching_session", session_id, after={"orders": [r["id"] for r in created]}
        )
        await _notify_published(session_id, created)
    return await read(session_id)


async def _notify_published(session_id: int, created: list[dict[str, Any]]) -> None:
    if not created:
        return
    batch = min(int(r["id"]) for r in created)  # one publication (a re-match publishes again: another batch)
    per_org: dict[int, int] = {}
    for row in created:
        per_org[row["organisation"]] = per_org.get(row["organisation"], 0) + 1
    for org_id, count in sorted(per_org.items()):
        await notify_organisations(
            [org_id],
            "match_order",
            "对接活动结果已发布",
            f"贵机构有 {count} 个新的对接订单，请及时接单或婉拒。",
            f"matching_session:{session_id}:published:{batch}",
        )
    communities = await MatchOrder.raw(
        "SELECT DISTINCT d.community FROM demand d WHERE d.id = ANY({}::int[])", [r["demand"] for r in created]
    )
    for row in communities:
        await orders.notify_community(
            row["community"],
            "match_order",
            "对接活动结果已发布",
            "贵社区的需求已匹配服务项目，等待机构接单。",
            f"matching_session:{session_id}:published:{batch}",
        )


def _pair_read(row: dict[str, Any]) -> SessionPairRead:
    terms = row["terms"] if isinstance(row["terms"], dict) else json.loads(row["terms"] or "{}")
    return SessionPairRead(
        id=row["id"],
        demand_id=row["demand"],
        offer_id=row["offer"],
        score=row["score"],
        terms=terms,
        source=row["source"],
    )


async def _read_models(rows: list[dict[str, Any]]) -> list[SessionRead]:
    """Read models for sessions: their preview's counts in two grouped queries whatever the number of rows."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    totals = {
        r["session"]: r
        for r in await SessionPair.raw(
            "SELECT session, count(*) AS n, coalesce(sum(score), 0) AS total FROM session_pair"
            " WHERE session = ANY({}::int[]) GROUP BY session",
            ids,
        )
    }
    unmatched = {
        r["session"]: int(r["n"])
        for r in await SessionUnmatched.raw(
            "SELECT session, count(*) AS n FROM session_unmatched WHERE session = ANY({}::int[]) GROUP BY session",
            ids,
        )
    }
    return [
        SessionRead(
            id=row["id"],
            title=row["title"],
            kind=row["kind"],
            district=row["scope_district"],
            required_tags=row["required_tags"],
            organisation_types=row["organisation_types"],
            rules=row["rules"],
            status=row["status"],
            status_zh=SESSION.states[row["status"]],
            pairs=int(totals[row["id"]]["n"]) if row["id"] in totals else 0,
            unmatched=unmatched.get(row["id"], 0),
            score_total=int(totals[row["id"]]["total"]) if row["id"] in totals else 0,
            previewed_at=row["previewed_at"],
            published_at=row["published_at"],
            created_at=row["created_at"],
        )
        for row in rows
    ]


async def read(session_id: int) -> SessionRead:
    row = await MatchingSession.select().where(MatchingSession.id == session_id).output(load_json=True).first()
    if row is None:
        raise not_found(SESSIONS.label_zh)
    return (await _read_models([row]))[0]


async def read_for(principal: Principal, session_id: int) -> SessionRead:
    await load(principal, MatchingSession, session_id)
    return await read(session_id)


async def list_for(principal: Principal, paging: PageParams) -> Page[SessionRead]:
    where = [] if principal.is_city_staff else [MatchingSession.scope_district == principal.district]
    query = MatchingSession.select().output(load_json=True).order_by(MatchingSession.id, ascending=False)
    page = await fetch_page(MatchingSession, query, paging, *where)
    return page.map(await _read_models(page.items))


async def pairs(principal: Principal, session_id: int, paging: PageParams) -> Page[SessionPairRead]:
    await load(principal, MatchingSession, session_id)
    query = SessionPair.select().order_by(SessionPair.demand).order_by(SessionPair.id)
    page = await fetch_page(SessionPair, query, paging, SessionPair.session == session_id)
    return page.map([_pair_read(row) for row in page.items])


async def unmatched(principal: Principal, session_id: int, paging: PageParams) -> Page[SessionUnmatchedRead]:
    await load(principal, MatchingSession, session_id)
    query = SessionUnmatched.select().order_by(SessionUnmatched.demand).order_by(SessionUnmatched.id)
    page = await fetch_page(SessionUnmatched, query, paging, SessionUnmatched.session == session_id)
    return page.map(
        [
            SessionUnmatchedRead(demand_id=r["demand"], reason=r["reason_code"], detail_zh=r["detail_zh"])
            for r in page.items
        ]
    )
