"""What programmes asks of the review side (scoring), without importing it.

Scoring sits above programmes: it reads applications and rounds, and programmes never imports it back. Where a
programmes use case needs a review fact — rank a round as it closes, is a tie at the cut line decided, did the
application pass its 公示, is this expert assigned, which pairs are in conflict, an entry's submitted reviews (a
graduation's decision), the review sheets of an export — it asks ``review_side()``. Scoring fills the port when
Piccolo loads its app (``scoring/piccolo_app.py`` imports ``scoring.ports``), so every process that loads the Piccolo
apps has the port; ``review_side()`` loads them if nothing has yet. A process without scoring (none today) fails
loudly on first use instead of silently skipping a gate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from programmes.catalogue.schemas import RankingRow

Sheet = tuple[list[str], list[Sequence[Any]]]


@dataclass(frozen=True)
class NoticeFacts:
    """A round's 公示 as the prizes need it: is the result final, and who was on the public list."""

    final: bool
    listed: frozenset[int]


SheetMaker = Callable[[int], Awaitable[Sheet]]


@dataclass(frozen=True)
class SubmittedReview:
    """One expert's submitted review of an application: the criterion scores (None = 不适用), the review's weighted
    score over its answered criteria (scoring.aggregation.review_score, rounded for display) and the comment."""

    expert_id: int
    expert_name: str
    scores: Mapping[str, int | None]
    score: float
    comment: str
    submitted_at: datetime | None


class ReviewSide(Protocol):
    async def rank_round(self, round_id: int) -> None:
        """Rank a round's reviewed applications, in the caller's (close-round) transaction."""

    async def ranking(self, round_id: int) -> list[RankingRow]:
        """A closed round's ranking, rank order (what closing the round answers)."""

    async def ensure_past_cut_line(self, application_id: int) -> None:
        """409 unless a ranked application tied at a cut line was let through by the officer's decision."""

    async def ensure_noticed(self, application_id: int, round_id: int) -> None:
        """409 unless the application passed its round's 公示 (no notice: nothing to pass); in the award's
        transaction."""

    async def notice_of(self, round_id: int) -> NoticeFacts | None:
        """The round's 公示 (None: the round was never published)."""

    async def review_started(self, round_id: int) -> bool:
        """An expert has been assigned to an application of the round."""

    async def is_assigned(self, application_id: int, expert_id: int) -> bool:
        """The expert has (or had) an assignment on the application."""

    async def conflict_pairs(self, application_ids: Iterable[int]) -> set[tuple[int, int]]:
        """Every (application, expert) pair in conflict of interest."""

    async def submitted_reviews(self, application_id: int) -> list[SubmittedReview]:
        """The application's submitted reviews, by expert id (a graduation's decision attaches them)."""

    @property
    def sheets(self) -> Mapping[str, SheetMaker]:
        """Export sheets of a round by kind (scores, ranking, load)."""


@dataclass
class _Slot:
    side: ReviewSide | None = None


_slot = _Slot()


def install(side: ReviewSide) -> None:
    _slot.side = side


def review_side() -> ReviewSide:
    if _slot.side is None:
        # Piccolo loads the apps (and scoring installs its side) on the first query; a caller may come before it.
        # Loading the registry here, not at the top: the registry imports scoring, which imports this module.
        import app.piccolo_registry  # noqa: F401
    if _slot.side is None:
        raise RuntimeError("programmes.ports: the review side is not installed (import scoring.piccolo_app)")
    return _slot.side
