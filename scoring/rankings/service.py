"""A closed round's ranking as officers read it (and as closing the round answers it), and the reliability of
its reviews. Reads only: the ranking is computed by ``scoring.ranking``."""

from __future__ import annotations

from app.access import load
from app.auth.principal import Principal
from app.paging import Page, PageParams, fetch_page
from programmes.catalogue.schemas import RankingRow
from programmes.tables import Round
from scoring.access import ROUNDS
from scoring.publication.ties import selection_of
from scoring.ranking import aggregate
from scoring.rankings.schemas import ReliabilityRead
from scoring.tables import RankingEntry

ALL = PageParams(limit=1_000_000)  # closing a round answers the whole ranking at once


async def ranking(round_id: int, paging: PageParams = ALL) -> Page[RankingRow]:
    """One page of the ranking (rank, then application id), each row with its cut-line tie if any."""
    query = (
        RankingEntry.select(
            RankingEntry.rank,
            RankingEntry.application,
            RankingEntry.application.title,
            RankingEntry.weighted_mean,
            RankingEntry.review_count,
            RankingEntry.methods,
            RankingEntry.flags,
        )
        .order_by(RankingEntry.rank)
        .order_by(RankingEntry.application)
        .output(load_json=True)
    )
    page = await fetch_page(RankingEntry, query, paging, RankingEntry.round == round_id)
    # Ties at the tracks' quota lines (publish's top_n adds the overall line: GET /rounds/{id}/cut-line-ties).
    found = await selection_of(round_id, None, None)
    tie_of = {a: t for t in found.ties for a in t.tied}
    return page.map(
        [
            RankingRow(
                rank=r["rank"],
                application_id=r["application"],
                title=r["application.title"],
                weighted_mean=f"{r['weighted_mean']:.6f}",
                review_count=r["review_count"],
                methods=r["methods"] or {},
                flags=r["flags"] or [],
                cut_line_tie=tie_of[r["application"]].line if r["application"] in tie_of else None,
                cut_line_decided=r["application"] in tie_of and tie_of[r["application"]].key in found.decisions,
            )
            for r in page.items
        ]
    )


async def round_ranking(principal: Principal, round_id: int, paging: PageParams) -> Page[RankingRow]:
    await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district))
    return await ranking(round_id, paging)


async def reliability(principal: Principal, round_id: int) -> ReliabilityRead:
    """Inter-rater reliability (ICC) and the score distribution of the round's submitted reviews."""
    await load(principal, ROUNDS.table, round_id, columns=(Round.id, Round.scope_district))
    result, _ = await aggregate(round_id)
    if result is None:
        return ReliabilityRead(reviews=0, icc1=None, icc1k=None)
    r = result.reliability
    return ReliabilityRead(
        reviews=r.ratings,
        applications=r.applications,
        icc1=r.icc1,
        icc1k=r.icc1k,
        raters_per_application=r.raters_per_application,
        global_mean=result.global_mean,
        global_sd=result.global_sd,
        uncalibrated_reviews=result.uncalibrated_reviews,
        outlier_reviews=int(result.outlier.sum()),
    )
