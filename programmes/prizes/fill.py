"""Filling an edition's prize tiers from a ranking (pure: entries and tiers in, winners and ties out).

Per track, tiers are filled best first in rank order: a tier with N places takes the next N entries. When the
entries sharing one rank do not all fit in the places a tier has left, that is a tie at the tier's boundary: the
officer decides which of them take the places (with a reason); the others move on to the next tier (or, after the
last tier, win nothing). Until every such tie is decided the fill stops there for that track, so nothing below an
undecided tie is shown as settled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    application_id: int
    rank: int
    track: str | None  # the track's name; None in a round without tracks


@dataclass(frozen=True)
class Place:
    """One tier's places in one track (``track`` None: the whole ranking)."""

    tier_id: int
    track: str | None
    count: int
    amount_fen: int


@dataclass(frozen=True)
class Decision:
    chosen: frozenset[int]
    reason: str


@dataclass(frozen=True)
class Tie:
    key: str  # "<tier id>:<track or *>:<rank>", what a decision names
    tier_id: int
    track: str | None
    rank: int
    candidates: tuple[int, ...]
    places: int  # how many of the candidates the tier still takes


@dataclass(frozen=True)
class Winner:
    application_id: int
    tier_id: int
    track: str | None
    rank: int
    amount_fen: int
    tie_reason: str = ""


@dataclass
class Fill:
    winners: list[Winner] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)  # every boundary tie met, decided or not
    undecided: list[Tie] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # keys of decisions that do not fit their tie

    @property
    def settled(self) -> bool:
        return not self.undecided and not self.invalid


def tie_key(tier_id: int, track: str | None, rank: int) -> str:
    return f"{tier_id}:{track if track is not None else '*'}:{rank}"


def fill(entries: Sequence[Entry], places: Sequence[Place], decisions: Mapping[str, Decision]) -> Fill:
    """``entries`` in rank order; ``places`` in tier order (best first)."""
    result = Fill()
    tracks = list(dict.fromkeys(p.track for p in places))
    for track in tracks:
        queue = [e for e in entries if track is None or e.track == track]
        for place in (p for p in places if p.track == track):
            left = place.count
            while left > 0 and queue:
                rank = queue[0].rank
                group = [e for e in queue if e.rank == rank]
                if len(group) <= left:
                    result.winners.extend(_won(e, place) for e in group)
                    queue = queue[len(group) :]
                    left -= len(group)
                    continue
                tie = Tie(
                    tie_key(place.tier_id, track, rank),
                    place.tier_id,
                    track,
                    rank,
                    tuple(e.application_id for e in group),
                    left,
                )
                result.ties.append(tie)
                decision = decisions.get(tie.key)
                if decision is None:
                    result.undecided.append(tie)
                    queue = []  # nothing below an undecided tie is settled
                    break
                if len(decision.chosen) != left or not decision.chosen <= set(tie.candidates):
                    result.invalid.append(tie.key)
                    queue = []
                    break
                result.winners.extend(
                    _won(e, place, decision.reason) for e in group if e.application_id in decision.chosen
                )
                queue = [e for e in queue if e.application_id not in decision.chosen]
                left = 0
    known = {t.key for t in result.ties}
    result.invalid.extend(sorted(k for k in decisions if k not in known))
    return result


def _won(entry: Entry, place: Place, reason: str = "") -> Winner:
    return Winner(entry.application_id, place.tier_id, place.track, entry.rank, place.amount_fen, reason)
