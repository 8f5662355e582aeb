"""Scoring's side of ``programmes.ports``: installed when Piccolo loads the scoring app (``scoring/piccolo_app.py``),
so programmes reaches ranking, the cut-line and 公示 gates, assignments, conflicts and the review sheets without
importing scoring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from programmes import ports
from programmes.catalogue.schemas import RankingRow
from programmes.workflows.publication import PublicationStatus
from scoring import ranking as computing
from scoring import sheets
from scoring.experts.conflicts import forbidden_pairs
from scoring.graduation import submitted_reviews
from scoring.publication.notice_gate import ensure_noticed
from scoring.publication.ties import ensure_past_cut_line
from scoring.rankings.service import ranking
from scoring.tables import Publication, ReviewAssignment

SHEETS: Mapping[str, ports.SheetMaker] = {
    "scores": sheets.scores_sheet,
    "ranking": sheets.ranking_sheet,
    "load": sheets.load_sheet,
}


class ScoringSide:
    sheets = SHEETS

    async def rank_round(self, round_id: int) -> None:
        await computing.rank_round(round_id)

    async def ranking(self, round_id: int) -> list[RankingRow]:
        return (await ranking(round_id)).items

    async def ensure_past_cut_line(self, application_id: int) -> None:
        await ensure_past_cut_line(application_id)

    async def ensure_noticed(self, application_id: int, round_id: int) -> None:
        await ensure_noticed(application_id, round_id)

    async def notice_of(self, round_id: int) -> ports.NoticeFacts | None:
        notice = (
            await Publication.select(Publication.status, Publication.entries)
            .where(Publication.round == round_id)
            .first()
            .output(load_json=True)
        )
        if notice is None:
            return None
        listed = frozenset(int(e["application_id"]) for e in notice["entries"] or [])
        return ports.NoticeFacts(final=notice["status"] == PublicationStatus.final, listed=listed)

    async def review_started(self, round_id: int) -> bool:
        return bool(await ReviewAssignment.exists().where(ReviewAssignment.application._.round == round_id))

    async def is_assigned(self, application_id: int, expert_id: int) -> bool:
        return bool(
            await ReviewAssignment.exists().where(
                (ReviewAssignment.application == application_id) & (ReviewAssignment.expert == expert_id)
            )
        )

    async def submitted_reviews(self, application_id: int) -> list[ports.SubmittedReview]:
        return await submitted_reviews(application_id)

    async def conflict_pairs(self, application_ids: Iterable[int]) -> set[tuple[int, int]]:
        return await forbidden_pairs(application_ids)


ports.install(ScoringSide())
