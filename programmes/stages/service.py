"""The stage order as officers read it: an edition's rounds in order with their counts."""

from __future__ import annotations

from collections import Counter

from piccolo.query.functions.aggregate import Count

from app.access import load
from app.auth.principal import Principal
from app.paging import Page, PageParams, fetch_page
from programmes.catalogue.access import EDITIONS
from programmes.kinds import ROUND_STAGE_ZH
from programmes.stages.schemas import StageRead
from programmes.tables import Application, Round, RoundStage
from programmes.workflows import ApplicationStatus


async def list_stages(principal: Principal, edition_id: int, paging: PageParams) -> Page[StageRead]:
    """Officer in scope: the edition's rounds by position (then id), each with its entries, carried-in entries,
    advanced and not advanced counts (one grouped query for the page)."""
    await load(principal, EDITIONS.table, edition_id)
    query = Round.select().order_by(Round.position).order_by(Round.id)
    page = await fetch_page(Round, query, paging, Round.edition == edition_id)
    ids = [r["id"] for r in page.items]
    by_status: Counter[tuple[int, str]] = Counter()
    carried: Counter[int] = Counter()
    for row in (
        await Application.select(Application.round, Application.status, Count(alias="n"))
        .where(Application.round.is_in(ids or [0]))
        .group_by(Application.round, Application.status)
    ):
        by_status[(row["round"], row["status"])] += int(row["n"])
    for row in (
        await Application.select(Application.round, Count(alias="n"))
        .where(Application.round.is_in(ids or [0]) & Application.carried_from.is_not_null())
        .group_by(Application.round)
    ):
        carried[row["round"]] = int(row["n"])
    # The first stage admits applications directly (programmes.applications.carry.admits_direct_applications,
    # answered here for the whole page from the edition's lowest position).
    ordered = await Round.select(Round.position).where(
        (Round.edition == edition_id) & (Round.stage != RoundStage.graduation)
    )
    first = min((r["position"] for r in ordered), default=0)
    items = []
    for r in page.items:
        counts = {s: n for (rid, s), n in by_status.items() if rid == r["id"]}
        items.append(
            StageRead(
                round_id=r["id"],
                name=r["name"],
                stage=r["stage"],
                stage_label=ROUND_STAGE_ZH.get(RoundStage(r["stage"]), r["stage"]),
                position=r["position"],
                status=r["status"],
                admits_direct_applications=r["stage"] != RoundStage.graduation and r["position"] <= first,
                entries=sum(n for s, n in counts.items() if s != ApplicationStatus.withdrawn),
                carried_in=carried[r["id"]],
                advanced=counts.get(ApplicationStatus.advanced, 0),
                not_advanced=counts.get(ApplicationStatus.not_advanced, 0),
            )
        )
    return page.map(items)
