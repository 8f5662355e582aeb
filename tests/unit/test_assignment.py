"""scoring/assignment.py: hand cases, infeasibility explanations, and property tests against brute force."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.assignment import (
    Affinity,
    AffinityWeights,
    ApplicationProfile,
    AssignmentInfeasible,
    AssignmentResult,
    ExpertProfile,
    Shortfall,
    affinity,
    assign_reviewers,
)

TAGS = AffinityWeights(per_shared_tag=1, domain=0, track=0)
Pair = tuple[int, int]
Instance = tuple[list[ApplicationProfile], list[ExpertProfile], int, list[Pair], list[Pair]]


def app(i: int, tags: str = "", domain: str | None = None, track: str | None = None) -> ApplicationProfile:
    return ApplicationProfile(i, frozenset(tags), domain, track)


def expert(
    i: int, tags: str = "", load: int = 1, minimum: int = 0, org: str = "", **kw: frozenset[str]
) -> ExpertProfile:
    return ExpertProfile(i, load, minimum, frozenset(tags), affiliations=frozenset([org] if org else []), **kw)


def pairs(result: AssignmentResult) -> set[tuple[int, int]]:
    return {(p.application_id, p.expert_id) for p in result.pairs}


def test_pairs_carry_the_affinity_components_that_justify_them() -> None:
    apps = [app(1, "ab", "health", "youth"), app(2, "c", "culture")]
    experts = [
        ExpertProfile(10, 1, tags=frozenset("ab"), domains=frozenset({"health"}), tracks=frozenset({"youth"})),
        ExpertProfile(11, 1, tags=frozenset("c"), domains=frozenset({"culture", "health"})),
    ]
    result = assign_reviewers(apps, experts, 1)
    assert pairs(result) == {(1, 10), (2, 11)}
    by_app = {p.application_id: p.affinity for p in result.pairs}
    assert by_app[1] == Affinity(10 * 2 + 20 + 5, ("a", "b"), True, True)
    assert by_app[2] == Affinity(10 + 20, ("c",), True, False)
    assert result.total_affinity == 75 and result.min_application_affinity == 30 and result.optimal
    assert affinity(apps[0], experts[1], AffinityWeights()) == Affinity(20, (), True, False)


def test_conflicts_and_affiliations_are_respected() -> None:
    apps = [app(1, "ab"), app(2, "ab")]
    experts = [expert(10, "ab", 2, org="org-x"), expert(11, "a", 2, org="org-x"), expert(12, "", 2)]
    result = assign_reviewers(apps, experts, 2, forbidden=[(2, 10)])
    # one org-x expert per application at most; (2, 10) is a conflict
    assert pairs(result) == {(1, 10), (1, 12), (2, 11), (2, 12)}


def test_shared_affiliations_chain_experts_into_one_group() -> None:
    # 10 and 11 share org B, 11 and 12 share org C: one group (conservative: 10 and 12 share nothing directly).
    orgs: list[set[str]] = [{"A", "B"}, {"B", "C"}, {"C"}, set()]
    experts = [ExpertProfile(i, 2, affiliations=frozenset(o)) for i, o in zip((10, 11, 12, 13), orgs, strict=True)]
    result = assign_reviewers([app(1)], experts, 2)
    assert len({e for _, e in pairs(result)} & {10, 11, 12}) == 1 and (1, 13) in pairs(result)
    assert shortfalls([app(1)], experts, 3)["too_few_eligible_experts"].application_ids == (1,)


def test_locked_pairs_are_kept_and_count() -> None:
    apps = [app(1, "a"), app(2, "a")]
    experts = [expert(10, "a", 2, org="o"), expert(11, "", 2, org="o"), expert(12, "", 2)]
    result = assign_reviewers(apps, experts, 2, locked=[(1, 11)])
    assert (1, 11) not in pairs(result)  # locked pairs are not repeated…
    assert pairs(result) == {(1, 12), (2, 10), (2, 12)}  # …but count: app 1 needs one more, not from org "o"
    assert result.total_affinity == 10  # (2, 10) shares tag "a"; the locked pair adds 0


def test_fair_mode_raises_the_floor_at_some_cost_in_total() -> None:
    apps = [app(0, "c"), app(1, "bcd"), app(2, "acd")]
    experts = [expert(10, "ab"), expert(11, "acd"), expert(12, "b")]
    total = assign_reviewers(apps, experts, 1, weights=TAGS)
    fair = assign_reviewers(apps, experts, 1, weights=TAGS, mode="fair")
    assert (total.total_affinity, total.min_application_affinity) == (4, 0)
    assert (fair.total_affinity, fair.min_application_affinity) == (3, 1)
    assert pairs(fair) == {(0, 11), (1, 12), (2, 10)}
    assert fair.min_bound == 1 and fair.total_bound == 4  # bounds: each alone; the plain optimum
    assert fair.optimal and "CP-SAT (OPTIMAL)" in fair.solver  # small graph: proven exactly


def test_pruned_graph_is_certified_and_repaired() -> None:
    # Every application's top candidate is expert 10 (capacity 1): one candidate each forces repair rounds.
    apps = [app(i, "abc"[: i % 3 + 1]) for i in range(9)]
    experts = [expert(10, "abc", 1)] + [expert(11 + j, "abc"[j % 3], 3) for j in range(4)]
    pruned = assign_reviewers(apps, experts, 1, candidates_per_application=1)
    full = assign_reviewers(apps, experts, 1, candidates_per_application=len(experts))
    assert pruned.total_affinity == full.total_affinity
    assert pruned.rounds > 1 and pruned.candidate_edges < full.candidate_edges


def shortfalls(
    apps: Sequence[ApplicationProfile], experts: Sequence[ExpertProfile], k: int, **kw: object
) -> dict[str, Shortfall]:
    with pytest.raises(AssignmentInfeasible) as info:
        assign_reviewers(apps, experts, k, **kw)  # type: ignore[arg-type]
    return {s.code: s for s in info.value.shortfalls}


def test_infeasible_input_is_explained() -> None:
    two = [expert(10, load=5), expert(11, load=5)]
    found = shortfalls([app(1), app(2)], two, 2, forbidden=[(1, 10)])
    assert set(found) == {"too_few_eligible_experts"}
    assert found["too_few_eligible_experts"].application_ids == (1,)
    assert "利益冲突（1 位）" in found["too_few_eligible_experts"].message
    same_org = [expert(10, load=5, org="o"), expert(11, load=5, org="o")]
    assert shortfalls([app(1)], same_org, 2)["too_few_eligible_experts"].application_ids == (1,)
    found = shortfalls([app(i) for i in range(3)], [expert(10, load=1), expert(11, load=1)], 1)
    assert found["capacity_short"].message == "共需 3 份评审，专家最多可承担 2 份，缺 1 份"
    assert "min_load_exceeds_demand" in shortfalls([app(1)], [expert(10, minimum=1), expert(11, minimum=1)], 1)
    lonely = shortfalls([app(1), app(2)], [expert(10, load=2, minimum=2), expert(11, load=2)], 1, forbidden=[(1, 10)])
    assert lonely["expert_min_load_unreachable"].expert_ids == (10,)


def test_contention_names_the_applications_that_compete() -> None:
    # Apps 1–3 may only use experts 10 and 11 (one review each); app 4 has expert 12 to itself.
    experts = [expert(10), expert(11), expert(12, load=5)]
    forbidden = [(a, 12) for a in (1, 2, 3)] + [(4, 10), (4, 11)]
    found = shortfalls([app(i) for i in (1, 2, 3, 4)], experts, 1, forbidden=forbidden)
    assert set(found) == {"contention"}
    assert found["contention"].application_ids == (1, 2, 3)
    assert "共需 3 份评审" in found["contention"].message and "最多只能承担 2 份" in found["contention"].message
    # Two experts who must each review two applications, but only three applications can go to them.
    experts = [expert(10, load=2, minimum=2), expert(11, load=2, minimum=2), expert(12, load=5)]
    forbidden = [(4, 10), (4, 11)]
    found = shortfalls([app(i) for i in (1, 2, 3, 4)], experts, 1, forbidden=forbidden)
    assert set(found) == {"min_load_contention"} and found["min_load_contention"].expert_ids in {(10,), (11,)}


# --- properties against brute force ------------------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    tag = st.frozensets(st.sampled_from("abcd"), max_size=3)
    n_apps, n_experts = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    k = draw(st.integers(1, 2))
    apps = [ApplicationProfile(i, draw(tag), draw(st.sampled_from(["x", "y", None]))) for i in range(n_apps)]
    experts = []
    for j in range(n_experts):
        load = draw(st.integers(0, 3))
        orgs = draw(st.frozensets(st.sampled_from(["o1", "o2", "o3"]), max_size=1))
        domains = draw(st.frozensets(st.sampled_from(["x", "y"])))
        experts.append(
            ExpertProfile(100 + j, load, draw(st.integers(0, min(load, 1))), draw(tag), domains, frozenset(), orgs)
        )
    every = [(a.id, x.id) for a in apps for x in experts]
    forbidden = draw(st.lists(st.sampled_from(every), max_size=4, unique=True))
    locked = draw(st.lists(st.sampled_from([p for p in every if p not in forbidden] or [(-1, -1)]), max_size=1))
    return apps, experts, k, forbidden, [p for p in locked if p[0] >= 0]


def brute_force(
    apps: list[ApplicationProfile], experts: list[ExpertProfile], k: int, forbidden: list[Pair], locked: list[Pair]
) -> tuple[int, tuple[int, int]] | None:
    """Best (total, …) and best (floor, total) over every assignment, or None when none exists."""
    group = {x.id: min(x.affiliations, default=f"alone-{x.id}") for x in experts}  # ≤ 1 org each here
    options = []
    for a in apps:
        kept = [x for x in experts if (a.id, x.id) in locked]
        taken = {group[x.id] for x in kept}
        free = [x for x in experts if (a.id, x.id) not in forbidden and x not in kept and group[x.id] not in taken]
        teams = [kept + list(t) for t in itertools.combinations(free, k - len(kept))]
        options.append([t for t in teams if len({group[x.id] for x in t}) == len(t)])
    best_total, best_fair = -1, (-1, -1)
    for choice in itertools.product(*options):
        load = Counter(x.id for team in choice for x in team)
        if any(not x.min_load <= load[x.id] <= x.max_load for x in experts):
            continue
        totals = [
            sum(affinity(a, x, AffinityWeights()).total for x in team) for a, team in zip(apps, choice, strict=True)
        ]
        best_total = max(best_total, sum(totals))
        best_fair = max(best_fair, (min(totals), sum(totals)))
    return None if best_total < 0 else (best_total, best_fair)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(instances())
def test_solver_matches_brute_force_and_keeps_every_rule(data: Instance) -> None:
    apps, experts, k, forbidden, locked = data
    best = brute_force(apps, experts, k, forbidden, locked)
    try:
        total = assign_reviewers(apps, experts, k, forbidden=forbidden, locked=locked, candidates_per_application=1)
        fair = assign_reviewers(apps, experts, k, forbidden=forbidden, locked=locked, mode="fair")
    except AssignmentInfeasible as error:
        assert best is None, error.shortfalls
        assert error.shortfalls
        return
    except ValueError:  # locked pair beyond an expert's max_load: rejected as bad input
        assume_locked_overload = any(x.max_load == 0 for x in experts if any(e == x.id for _, e in locked))
        assert assume_locked_overload
        return
    assert best is not None
    assert total.total_affinity == best[0] and total.optimal
    assert (fair.min_application_affinity, fair.total_affinity) == best[1]
    assert fair.min_application_affinity >= total.min_application_affinity
    for result in (total, fair):
        chosen = pairs(result) | set(locked)
        assert not chosen & set(forbidden)  # conflicts of interest never assigned
        assert all(sum(1 for a, _ in chosen if a == x.id) == k for x in apps)  # every application gets k
        load = Counter(e for _, e in chosen)
        assert all(x.min_load <= load[x.id] <= x.max_load for x in experts)
        for a in apps:
            orgs = [o for (i, e) in chosen if i == a.id for x in experts if x.id == e for o in x.affiliations]
            assert len(orgs) == len(set(orgs))  # at most one expert per affiliation
