"""Issue 11, the pure parts of fair review, hand-computed: tie-break keys, cut-line ties, blind stripping by every
form version, partial assignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from scoring.aggregation import Criterion, RankedApplication, Review, RoundRules, aggregate_round
from scoring.assignment import ApplicationProfile, ExpertProfile
from scoring.assignment_partial import assign_what_can_be_staffed
from scoring.cut_line import CutLineTie, Quota, cut_line_ties, decided_selection, decision_problems
from scoring.reviews.blind import remove_paths, strip_for_blind
from scoring.tie_break import DEFAULT_TIE_BREAK, expand, tie_break_problems

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ONE = [Criterion("a", 1, 10)]
# Both applications average 5: application 1 from 4 and 6 (variance 1), application 2 from 5 and 5 (variance 0).
# Application 1 was submitted first.
REVIEWS = [Review(1, 10, {"a": 4}), Review(1, 11, {"a": 6}), Review(2, 10, {"a": 5}), Review(2, 11, {"a": 5})]
WHEN = {1: T0, 2: T0 + timedelta(hours=1)}


def ranked(order: tuple[str, ...], when: dict[int, datetime] = WHEN) -> list[tuple[int, int]]:
    result = aggregate_round(RoundRules(ONE, tie_break=("a",), tie_order=order), REVIEWS, when)
    return [(r.rank, r.application_id) for r in result.ranking()]


def test_tie_break_keys_are_validated() -> None:
    assert tie_break_problems(DEFAULT_TIE_BREAK, ["a"]) == []
    assert tie_break_problems(["criterion:a", "id"], ["a"]) == []
    assert tie_break_problems(["criterion:b"], ["a"]) == ["评分标准中没有 b"]
    assert "未知" in tie_break_problems(["random"], ["a"])[0]
    assert tie_break_problems(["id", "spread"], ["a"]) == ["id 只能是并列处理规则的最后一项"]
    assert tie_break_problems(["spread", "spread"], ["a"]) == ["并列处理规则中有重复项"]
    assert expand(["criteria", "spread", "id"], ["a", "b"]) == [
        ("criterion", "a"),
        ("criterion", "b"),
        ("spread", None),
    ]
    with pytest.raises(ValueError):
        expand(["nope"], ["a"])


def test_the_configured_order_decides_ties() -> None:
    # Default: criterion a ties (5 = 5), spread decides: 2 (variance 0) before 1 (variance 1).
    assert ranked(DEFAULT_TIE_BREAK) == [(1, 2), (2, 1)]
    # Submission time first: 1 was earlier.
    assert ranked(("submitted_at", "spread")) == [(1, 1), (2, 2)]
    # Only the id: a real tie, a shared rank, listed by id.
    assert ranked(("id",)) == [(1, 1), (1, 2)]
    # The hidden assumption of the older tests: equal scores share a rank only if the submissions tie too.
    assert ranked(("submitted_at",), {1: T0, 2: T0}) == [(1, 1), (1, 2)]


def entries(*ranks: tuple[int, int]) -> list[RankedApplication]:
    return [RankedApplication(rank, app, Fraction(100 - rank)) for rank, app in ranks]


def test_ties_at_the_overall_line_and_a_track_line() -> None:
    ranking = entries((1, 1), (2, 2), (2, 3), (2, 4), (5, 5))
    selection, ties = cut_line_ties(ranking, Quota(top_n=2))
    assert selection.selected == (1, 2) and ties == [CutLineTie("overall", 2, 1, (2, 3, 4))]
    assert cut_line_ties(ranking, Quota(top_n=4))[1] == []  # the whole tie fits
    assert cut_line_ties(ranking, Quota(top_n=1))[1] == []  # the line falls between ranks 1 and 2
    tracks = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    _, by_track = cut_line_ties(ranking, Quota(per_group={"A": 2}), tracks)
    assert by_track == [CutLineTie("track:A", 2, 1, (2, 3))]  # 4 is in track B: not part of A's tie


def test_decisions_replace_the_tie_and_must_fit_it() -> None:
    ranking = entries((1, 1), (2, 2), (2, 3), (2, 4), (5, 5))
    selection, [tie] = cut_line_ties(ranking, Quota(top_n=2))
    assert decided_selection(ranking, selection, [tie], {}) == ((1, 2), [tie])
    assert decided_selection(ranking, selection, [tie], {tie.key: [4]}) == ((1, 4), [])
    stale = {("overall", 2, (2, 3)): [3]}  # decided for another tied set: the ranking changed since
    assert decided_selection(ranking, selection, [tie], stale)[1] == [tie]
    assert decision_problems(tie, [3]) == []
    assert len(decision_problems(tie, [3, 4])) == 1
    assert decision_problems(tie, [5])[0] == "申报 5 不在并列名单中"


def test_blind_strips_by_every_version() -> None:
    v1 = {
        "type": "object",
        "properties": {
            "lead": {"type": "string", "identifying": True},
            "summary": {"type": "string"},
            "team": {"type": "array", "items": {"type": "object", "properties": {"phone": {"identifying": True}}}},
        },
    }
    v2 = {
        "type": "object",
        "properties": {
            "lead": {"type": "string"},
            "summary": {"type": "string"},
            "team": {"type": "array", "items": {"type": "object", "properties": {"phone": {}, "role": {}}}},
        },
    }
    answers = {"lead": "张三", "summary": "助餐", "team": [{"phone": "139", "role": "社工"}], "extra": 1}
    leaked = strip_for_blind(v2, [], answers)  # the old behaviour: the current form only
    assert leaked["lead"] == "张三" and "extra" not in leaked
    seen = strip_for_blind(v2, [v1, v2], answers)
    assert seen == {"summary": "助餐", "team": [{"role": "社工"}]}  # v1's marks hold; undeclared keys go
    assert remove_paths({"a": {"b": 1, "c": 2}}, [["a", "b"], ["x", "y"]]) == {"a": {"c": 2}}
    assert answers["lead"] == "张三"  # the input is not modified


def test_partial_assignment_staffs_what_it_can() -> None:
    applications = [ApplicationProfile(1), ApplicationProfile(2), ApplicationProfile(3)]
    experts = [ExpertProfile(10, 3), ExpertProfile(11, 3)]
    # Application 1 conflicts with expert 10: with k = 2 it can never be staffed; 2 and 3 can.
    partial = assign_what_can_be_staffed(applications, experts, 2, forbidden={(1, 10)})
    assert partial.result is not None
    assert {(p.application_id, p.expert_id) for p in partial.result.pairs} == {(2, 10), (2, 11), (3, 10), (3, 11)}
    [rest] = partial.unstaffed
    assert (rest.application_id, rest.code, rest.needed, rest.eligible) == (1, "too_few_eligible_experts", 2, 1)
    # Capacity for one application only (loads 1 each, k = 2): the latest applications are set aside.
    tight = assign_what_can_be_staffed(applications, [ExpertProfile(10, 1), ExpertProfile(11, 1)], 2)
    assert tight.result is not None and {p.application_id for p in tight.result.pairs} == {1}
    assert [u.application_id for u in tight.unstaffed] == [2, 3]
    nobody = assign_what_can_be_staffed(applications, [], 1)
    assert nobody.result is None and len(nobody.unstaffed) == 3
