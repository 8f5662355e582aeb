"""District quotas at a stage advance (scoring.cut_line ``per_district``), alone and together with track quotas."""

from __future__ import annotations

from fractions import Fraction

from scoring.aggregation import RankedApplication
from scoring.cut_line import CutLineTie, Quota, cut_line_ties, select_advancing


def ranked(*ranks: tuple[int, int]) -> list[RankedApplication]:
    return [RankedApplication(rank, app, Fraction(100 - rank)) for rank, app in ranks]


def test_a_full_district_stops_its_next_entries_only() -> None:
    ranking = ranked((1, 10), (2, 11), (3, 12), (4, 13))
    districts = {10: "pudong", 11: "pudong", 12: "xuhui", 13: "pudong"}
    selection = select_advancing(ranking, Quota(per_district={"pudong": 1}), district_of=districts)
    assert selection.selected == (10, 12)
    assert selection.reasons == {11: "district_full", 13: "district_full"}
    # A district without a quota has no limit; no district map means no district limit at all.
    assert select_advancing(ranking, Quota(per_district={"xuhui": 1}), district_of=districts).selected == (
        10,
        11,
        12,
        13,
    )
    assert select_advancing(ranking, Quota(per_district={"pudong": 1})).selected == (10, 11, 12, 13)


def test_track_and_district_quotas_apply_together() -> None:
    ranking = ranked((1, 10), (2, 11), (3, 12), (4, 13))
    tracks = {10: "A", 11: "A", 12: "B", 13: "B"}
    districts = {10: "pudong", 11: "xuhui", 12: "pudong", 13: "xuhui"}
    quota = Quota(per_group={"A": 1}, per_district={"pudong": 1})
    selection = select_advancing(ranking, quota, tracks, districts)
    assert selection.selected == (10, 13)
    assert selection.reasons == {11: "group_full", 12: "district_full"}


def test_a_tie_at_a_district_line_is_shown_with_its_places() -> None:
    ranking = ranked((1, 10), (2, 11), (2, 12), (4, 13))
    districts = {10: "xuhui", 11: "pudong", 12: "pudong", 13: "pudong"}
    selection, ties = cut_line_ties(ranking, Quota(per_district={"pudong": 1}), district_of=districts)
    assert ties == [CutLineTie("district:pudong", 2, 1, (11, 12))]
    assert selection.boundary_ties == (12,)
