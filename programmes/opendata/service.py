"""一公开 datasets of the programmes side: calls, awards, disbursement totals, inspection draws with findings, and
published 聚力计划 cases (the 公示 results are scoring's: ``scoring.publication.open_results``). Each is one page in a
stable order ending in an id, related rows read for the whole page at once."""

from __future__ import annotations

from typing import Any

from app.paging import Page, PageParams, fetch_page
from programmes.draws.tables import InspectionDraw, InspectionFinding
from programmes.ledger.service import award_sums, net_obligation
from programmes.ledger.tables import LedgerKind
from programmes.matching.cases import library
from programmes.opendata.schemas import OpenAward, OpenCall, OpenCase, OpenDisbursement, OpenInspection
from programmes.prizes.tables import Prize
from programmes.tables import Award, Round
from programmes.workflows import RoundStatus
from programmes.workflows.contest import PROGRAMME_ROUND


async def calls(paging: PageParams) -> Page[OpenCall]:
    """Every round that left its draft, oldest first."""
    query = Round.select(
        Round.id,
        Round.name,
        Round.stage,
        Round.opens_at,
        Round.closes_at,
        Round.status,
        Round.scope_district,
        Round.edition._.title.as_alias("edition"),
        Round.edition._.year.as_alias("year"),
        Round.edition._.programme._.name.as_alias("programme"),
        Round.edition._.programme._.kind.as_alias("kind"),
    ).order_by(Round.id)
    page = await fetch_page(Round, query, paging, Round.status != RoundStatus.draft)
    return page.map(
        [
            OpenCall(
                round_id=r["id"],
                programme=r["programme"],
                programme_kind=r["kind"],
                edition_year=r["year"],
                edition=r["edition"],
                round=r["name"],
                stage=r["stage"],
                opens_at=r["opens_at"],
                closes_at=r["closes_at"],
                status=r["status"],
                status_zh=PROGRAMME_ROUND.states.get(r["status"], r["status"]),
                district=r["scope_district"],
            )
            for r in page.items
        ]
    )


AWARD_COLUMNS = (
    Award.id,
    Award.amount_fen,
    Award.award_type,
    Award.status,
    Award.created_at,
    Award.application._.title.as_alias("project"),
    Award.application._.organisation._.name.as_alias("organisation"),
    Award.application._.track._.name.as_alias("track"),
    Award.application._.round._.name.as_alias("round"),
    Award.application._.round._.edition._.title.as_alias("edition"),
    Award.application._.round._.edition._.programme._.name.as_alias("programme"),
    Award.budget_line._.fund_source._.kind.as_alias("fund_source_kind"),
)


async def prize_names(award_ids: list[int]) -> dict[int, str]:
    """The prize tier (一等奖…) of each award that holds a prize's money, for a page in one query; an award without
    a prize (a grant, or a prize tier without money) is absent."""
    rows = await Prize.select(Prize.award, Prize.tier._.name.as_alias("tier")).where(
        Prize.award.is_in(award_ids or [0])
    )
    return {r["award"]: r["tier"] for r in rows if r["award"] is not None}


async def awards(paging: PageParams) -> Page[OpenAward]:
    """Every award, oldest first; a cancelled one stays listed with its status."""
    page = await fetch_page(Award, Award.select(*AWARD_COLUMNS).order_by(Award.id), paging)
    prizes = await prize_names([r["id"] for r in page.items])
    return page.map(
        [
            OpenAward(
                award_id=r["id"],
                programme=r["programme"],
                edition=r["edition"],
                round=r["round"],
                organisation=r["organisation"],
                project=r["project"],
                track=r["track"],
                prize=prizes.get(r["id"]),
                amount_fen=r["amount_fen"],
                fund_source_kind=r["fund_source_kind"],
                award_type=r["award_type"],
                status=r["status"],
                awarded_at=r["created_at"],
            )
            for r in page.items
        ]
    )


async def disbursements(paging: PageParams) -> Page[OpenDisbursement]:
    """Per award, the ledger's totals (the ledger is the only source of money movements): two queries for the
    page and one for the sums."""
    page = await fetch_page(Award, Award.select(*AWARD_COLUMNS).order_by(Award.id), paging)
    sums = await award_sums(r["id"] for r in page.items)
    return page.map(
        [
            OpenDisbursement(
                award_id=r["id"],
                organisation=r["organisation"],
                project=r["project"],
                amount_fen=r["amount_fen"],
                obligated_fen=net_obligation(sums[r["id"]]),
                disbursed_fen=sums[r["id"]][LedgerKind.disbursement],
                refunded_fen=sums[r["id"]][LedgerKind.refund],
            )
            for r in page.items
        ]
    )


# One row per drawn project, newest draw first; a draw without selections (committed, not yet executed) is one row.
_DRAWN = (
    " FROM inspection_draw d JOIN edition e ON e.id = d.edition JOIN programme p ON p.id = e.programme"
    " CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(d.selections) = 'array'"
    " AND jsonb_array_length(d.selections) > 0 THEN d.selections ELSE '[null]'::jsonb END) WITH ORDINALITY s(item, n)"
)


async def inspections(paging: PageParams) -> Page[OpenInspection]:
    """双随机、一公开: the draws and their findings — never the inspectors (people), only what was checked and found."""
    rows = await InspectionDraw.raw(
        "SELECT d.id, p.name AS programme, e.title AS edition, d.status, d.seed_hash, d.seed, d.created_at,"
        " d.executed_at, d.superseded_by, d.redraw_reason, (s.item->>'award_id')::bigint AS award_id"
        + _DRAWN
        + " ORDER BY d.id DESC, s.n LIMIT {} OFFSET {}",
        paging.limit,
        paging.offset,
    )
    total = (await InspectionDraw.raw("SELECT count(*) AS n" + _DRAWN))[0]["n"]
    award_ids = sorted({r["award_id"] for r in rows if r["award_id"] is not None})
    projects = {
        a["id"]: a
        for a in await Award.select(
            Award.id,
            Award.application._.title.as_alias("project"),
            Award.application._.organisation._.name.as_alias("organisation"),
        ).where(Award.id.is_in(award_ids or [0]))
    }
    findings: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for f in (
        await InspectionFinding.select(
            InspectionFinding.draw, InspectionFinding.award, InspectionFinding.finding, InspectionFinding.created_at
        )
        .where(InspectionFinding.draw.is_in(sorted({r["id"] for r in rows}) or [0]))
        .order_by(InspectionFinding.id)
    ):
        findings.setdefault((f["draw"], f["award"]), []).append(f)
    items = []
    for r in rows:
        project = projects.get(r["award_id"]) if r["award_id"] is not None else None
        history = findings.get((r["id"], r["award_id"]), [])
        items.append(
            OpenInspection(
                draw_id=r["id"],
                programme=r["programme"],
                edition=r["edition"],
                status=r["status"],
                seed_hash=r["seed_hash"],
                seed=r["seed"] or None,  # empty until the draw is executed (commit-reveal)
                committed_at=r["created_at"],
                drawn_at=r["executed_at"],
                superseded_by=r["superseded_by"],
                redraw_reason=r["redraw_reason"],
                award_id=r["award_id"],
                organisation=project["organisation"] if project else None,
                project=project["project"] if project else None,
                finding=history[-1]["finding"] if history else None,
                findings_recorded=len(history),
                finding_recorded_at=history[-1]["created_at"] if history else None,
            )
        )
    return Page(items, int(total), paging)


async def cases(paging: PageParams) -> Page[OpenCase]:
    """Published 聚力计划 cases, newest first: the public case library's rows, without photos."""
    page = await library(paging)
    return page.map(
        [
            OpenCase(
                case_id=c.id,
                title=c.title,
                summary=c.summary,
                field=c.field.value,
                field_label=c.field_label,
                tags=c.tags,
                outcomes=c.outcomes,
                beneficiaries=c.beneficiaries,
                district=c.district,
                street=c.street,
                organisation=c.organisation,
                published_at=c.published_at,
            )
            for c in page.items
        ]
    )
