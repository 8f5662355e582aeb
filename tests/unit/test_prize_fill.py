"""Filling prize tiers from a ranking (programmes.prizes.fill): rank order per track, ties at a tier boundary
stop the fill until decided, a decision must pick exactly the places left from the tied entries."""

from __future__ import annotations

from programmes.prizes.fill import Decision, Entry, Place, fill, tie_key


def _entries(*ranks: int, track: str | None = None) -> list[Entry]:
    return [Entry(100 + n, rank, track) for n, rank in enumerate(ranks)]


def test_tiers_take_entries_in_rank_order() -> None:
    result = fill(_entries(1, 2, 3, 4), [Place(1, None, 1, 500), Place(2, None, 2, 200)], {})
    assert [(w.application_id, w.tier_id, w.amount_fen) for w in result.winners] == [
        (100, 1, 500),
        (101, 2, 200),
        (102, 2, 200),
    ]
    assert result.settled and result.ties == []


def test_a_tie_that_fits_in_the_places_left_is_no_tie() -> None:
    result = fill(_entries(1, 2, 2, 4), [Place(1, None, 3, 0)], {})
    assert [w.application_id for w in result.winners] == [100, 101, 102] and result.settled


def test_a_tie_across_a_boundary_stops_the_fill_until_decided() -> None:
    places = [Place(1, None, 1, 500), Place(2, None, 1, 200), Place(3, None, 1, 0)]
    result = fill(_entries(1, 2, 2, 4), places, {})
    [tie] = result.undecided
    assert tie.key == tie_key(2, None, 2) == "2:*:2" and tie.candidates == (101, 102) and tie.places == 1
    assert [w.application_id for w in result.winners] == [100] and not result.settled

    decided = fill(_entries(1, 2, 2, 4), places, {"2:*:2": Decision(frozenset({102}), "路演得分更高")})
    assert [(w.application_id, w.tier_id, w.tie_reason) for w in decided.winners] == [
        (100, 1, ""),
        (102, 2, "路演得分更高"),
        (101, 3, ""),  # the one not chosen moves on to the next tier
    ]
    assert decided.settled and [t.key for t in decided.ties] == ["2:*:2"]


def test_a_decision_must_pick_exactly_the_places_from_the_tied() -> None:
    places = [Place(1, None, 1, 0)]
    for chosen in ({100, 101}, {102}, set()):
        result = fill(_entries(1, 1, 3), places, {"1:*:1": Decision(frozenset(chosen), "理由")})
        assert result.invalid == ["1:*:1"] and not result.settled and result.winners == []
    stray = fill(_entries(1, 2), places, {"9:*:1": Decision(frozenset({100}), "理由")})
    assert stray.invalid == ["9:*:1"] and not stray.settled


def test_each_track_fills_its_own_places() -> None:
    entries = [Entry(1, 1, "A"), Entry(2, 2, "B"), Entry(3, 3, "A"), Entry(4, 4, "B")]
    places = [Place(1, "A", 1, 500), Place(1, "B", 1, 300), Place(2, "A", 1, 0)]
    result = fill(entries, places, {})
    assert {(w.application_id, w.tier_id, w.track) for w in result.winners} == {(1, 1, "A"), (2, 1, "B"), (3, 2, "A")}


def test_more_places_than_entries_leaves_places_empty() -> None:
    result = fill(_entries(1), [Place(1, None, 3, 100), Place(2, None, 2, 0)], {})
    assert [w.application_id for w in result.winners] == [100] and result.settled
