"""programmes/matching/solver.py: optimality against exhaustive search, properties, re-matching, failure modes."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programmes.matching.problem import Candidate, DemandSlot, OfferSlot, Problem, Solution, UnmatchedExplanation
from programmes.matching.solver import InvalidProblem, greedy, index_problem, objective, remainder, rematch, solve
from programmes.matching.solver_explain import detail_zh, explain

Pair = tuple[int, int]
ROOT = Path(__file__).resolve().parents[2]


def brute_force(
    problem: Problem, must: Collection[Pair] = (), banned: Collection[Pair] = ()
) -> tuple[int, frozenset[Pair]]:
    """The best objective by exhaustive search: every subset (≤ wanted) of every demand's candidates, demand by
    demand, memoised on the offers' remaining capacity; solutions must contain ``must`` and avoid ``banned``."""
    offers = {o.offer_id: i for i, o in enumerate(problem.offers)}
    options = {d.demand_id: [c for c in problem.candidates if c.demand_id == d.demand_id] for d in problem.demands}
    penalty = problem.unmatched_penalty

    @cache
    def best(i: int, free: tuple[int, ...]) -> tuple[float, frozenset[Pair]]:
        if i == len(problem.demands):
            return 0, frozenset()
        demand = problem.demands[i]
        found: tuple[float, frozenset[Pair]] = (float("-inf"), frozenset())
        mine = [c for c in options[demand.demand_id] if (c.demand_id, c.offer_id) not in banned]
        for size in range(min(demand.wanted, len(mine)) + 1):
            for combo in itertools.combinations(mine, size):
                pairs = {(c.demand_id, c.offer_id) for c in combo}
                if any(p[0] == demand.demand_id and p not in pairs for p in must):
                    continue
                left = list(free)
                for c in combo:
                    left[offers[c.offer_id]] -= 1
                if min(left, default=0) < 0:
                    continue
                rest, chosen = best(i + 1, tuple(left))
                value = sum(c.score for c in combo) - penalty * (demand.wanted - size) + rest
                if value > found[0]:
                    found = (value, chosen | pairs)
        return found

    value, pairs = best(0, tuple(o.free for o in problem.offers))
    assert value != float("-inf"), "the fixed pairs themselves are infeasible"
    return int(value), pairs


@st.composite
def problems(draw: st.DrawFn, max_side: int = 6) -> Problem:
    n, m = draw(st.integers(0, max_side)), draw(st.integers(0, max_side))
    demands = tuple(DemandSlot(100 + i, draw(st.integers(0, 3))) for i in range(n))
    offers = tuple(OfferSlot(200 + j, draw(st.integers(0, 3))) for j in range(m))
    listed = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
    scores = draw(st.lists(st.integers(-5, 30), min_size=n * m, max_size=n * m))
    candidates = tuple(
        Candidate(d.demand_id, o.offer_id, scores[k], {"tags": scores[k]})
        for k, (d, o) in enumerate(itertools.product(demands, offers))
        if listed[k]
    )
    forbidden = {d.demand_id: "conflict_of_interest" for d in demands if draw(st.booleans()) and draw(st.booleans())}
    return Problem(demands, offers, candidates, draw(st.integers(0, 12)), forbidden)


def keys(pairs: Iterable[Candidate]) -> list[Pair]:
    return [(p.demand_id, p.offer_id) for p in pairs]


def matched_units(solution: Solution) -> int:
    return len(solution.pairs)


def assert_feasible(problem: Problem, solution: Solution) -> None:
    listed = {(c.demand_id, c.offer_id): c for c in problem.candidates}
    pairs = keys(solution.pairs)
    assert len(pairs) == len(set(pairs)), "each (demand, offer) at most once"
    assert all(listed[k] == p for k, p in zip(pairs, solution.pairs, strict=True)), "only listed candidates"
    per_demand, per_offer = Counter(d for d, _ in pairs), Counter(o for _, o in pairs)
    assert all(per_demand[d.demand_id] <= d.wanted for d in problem.demands)
    assert all(per_offer[o.offer_id] <= o.free for o in problem.offers)
    assert solution.objective == objective(problem, solution.pairs)


def assert_explained(problem: Problem, solution: Solution) -> None:
    """Every demand with units left has a reason, and the reason's evidence holds in the solution."""
    chosen = set(keys(solution.pairs))
    per_demand, per_offer = Counter(d for d, _ in chosen), Counter(o for _, o in chosen)
    free = {o.offer_id: o.free for o in problem.offers}
    left = {d.demand_id: d.wanted - per_demand[d.demand_id] for d in problem.demands}
    assert set(solution.unmatched) == {d for d, units in left.items() if units > 0} == set(solution.explanations)
    for demand_id, e in solution.explanations.items():
        assert solution.unmatched[demand_id] == e.reason and e.matched == per_demand[demand_id]
        unused = [c for c in problem.candidates if c.demand_id == demand_id and (demand_id, c.offer_id) not in chosen]
        best = max((c.score for c in unused), default=None)
        assert e.best_score == best
        if e.reason in {"no_candidate", "forbidden"}:
            assert not unused and (e.reason == "forbidden") == (demand_id in problem.forbidden)
        elif e.reason == "not_worth":
            assert all(c.score + problem.unmatched_penalty <= 0 for c in unused)
        else:
            assert e.reason == "capacity_taken" and best is not None
            assert best + problem.unmatched_penalty > 0 and e.offers
            assert all(per_offer[o] == free[o] for o in e.offers), "capacity_taken names only full offers"
            holders = [c.score for c in solution.pairs if c.offer_id == e.offers[0]]
            assert e.rival_score == (min(holders) if holders else None)
            assert e.rival_score is None or e.rival_score >= best, "the capacity went to pairs worth at least as much"


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_solver_finds_the_exhaustive_optimum(problem: Problem) -> None:
    solution = solve(problem)
    assert solution.optimal
    assert solution.objective == brute_force(problem)[0]
    assert_feasible(problem, solution)
    assert_explained(problem, solution)


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(0, 10_000))
def test_adding_a_candidate_never_lowers_the_optimum(problem: Problem, pick: int) -> None:
    absent = [
        (d.demand_id, o.offer_id)
        for d, o in itertools.product(problem.demands, problem.offers)
        if (d.demand_id, o.offer_id) not in set(keys(problem.candidates))
    ]
    if not absent:
        return
    demand_id, offer_id = absent[pick % len(absent)]
    bigger = replace(problem, candidates=(*problem.candidates, Candidate(demand_id, offer_id, pick % 41 - 5)))
    assert solve(bigger).objective >= solve(problem).objective


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(1, 40))
def test_raising_the_penalty_never_lowers_the_matched_units(problem: Problem, more: int) -> None:
    harsher = replace(problem, unmatched_penalty=problem.unmatched_penalty + more)
    assert matched_units(solve(harsher)) >= matched_units(solve(problem))


@settings(max_examples=150, deadline=None)
@given(problems())
def test_greedy_is_feasible_explained_and_never_better(problem: Problem) -> None:
    heuristic = greedy(problem)
    assert not heuristic.optimal
    assert_feasible(problem, heuristic)
    assert_explained(problem, heuristic)
    assert heuristic.objective <= solve(problem).objective


@settings(max_examples=200, deadline=None)
@given(problems(), st.lists(st.booleans(), max_size=36), st.lists(st.booleans(), max_size=36))
def test_rematch_keeps_the_fixed_pairs_and_is_optimal_for_the_rest(
    problem: Problem, keep: list[bool], decline: list[bool]
) -> None:
    """Fixed pairs: a random part of a feasible (greedy) solution; declined: random other candidates."""
    start = greedy(replace(problem, unmatched_penalty=40)).pairs
    fixed = [p for p, k in zip(start, keep + [False] * len(start), strict=False) if k]
    others = [k for k in keys(problem.candidates) if k not in set(keys(fixed))]
    declined = {k for k, no in zip(others, decline, strict=False) if no}
    result = rematch(problem, fixed, declined)
    assert set(keys(fixed)) <= set(keys(result.pairs)) and not declined & set(keys(result.pairs))
    assert_feasible(problem, result)
    assert result.objective == brute_force(problem, must=set(keys(fixed)), banned=declined)[0]
    reduced = solve(remainder(problem, fixed, declined))
    assert set(keys(reduced.pairs)) == set(keys(result.pairs)) - set(keys(fixed))
    assert set(result.unmatched) == set(reduced.unmatched)


def test_empty_problems() -> None:
    for problem in (
        Problem((), (), ()),
        Problem((DemandSlot(1, 0),), (OfferSlot(2, 3),), ()),
        Problem((), (OfferSlot(2, 3),), (), unmatched_penalty=5),
    ):
        solution = solve(problem)
        assert solution.pairs == () and solution.unmatched == {} and solution.objective == 0 and solution.optimal
    lonely = solve(Problem((DemandSlot(1, 2),), (), (), unmatched_penalty=5))
    assert lonely.unmatched == {1: "no_candidate"} and lonely.objective == -10


def test_capacity_goes_to_the_higher_total_not_the_first_best_pair() -> None:
    """Greedy takes (1, A) = 10 and strands demand 2; the optimum pairs 1–B and 2–A for 9 + 8."""
    problem = Problem(
        (DemandSlot(1, 1), DemandSlot(2, 1)),
        (OfferSlot(10, 1), OfferSlot(11, 1)),
        (Candidate(1, 10, 10, {"tags": 6, "distance": 4}), Candidate(1, 11, 9), Candidate(2, 10, 8)),
    )
    solution = solve(problem)
    assert keys(solution.pairs) == [(1, 11), (2, 10)] and solution.objective == 17 and solution.unmatched == {}
    assert greedy(problem).objective == 10
    assert solve(replace(problem, candidates=problem.candidates[:1])).pairs[0].terms == {"tags": 6, "distance": 4}


def test_the_penalty_decides_whether_a_weak_pair_is_worth_it() -> None:
    problem = Problem((DemandSlot(1, 1),), (OfferSlot(10, 1),), (Candidate(1, 10, -3),))
    assert solve(problem).unmatched == {1: "not_worth"} and solve(problem).objective == 0
    assert solve(replace(problem, unmatched_penalty=3)).pairs == ()  # net 0: changes nothing, not taken
    taken = solve(replace(problem, unmatched_penalty=4))
    assert keys(taken.pairs) == [(1, 10)] and taken.objective == -3 and taken.unmatched == {}


def test_explanations_on_a_hand_built_case() -> None:
    problem = Problem(
        demands=(DemandSlot(1, 2), DemandSlot(2, 1), DemandSlot(3, 1), DemandSlot(4, 1), DemandSlot(5, 1)),
        offers=(OfferSlot(10, 1), OfferSlot(11, 1), OfferSlot(12, 0)),
        candidates=(
            Candidate(1, 10, 50),
            Candidate(2, 10, 40),  # 10 is taken by 1 (50 ≥ 40) …
            Candidate(2, 12, 70),  # … and 12 was full before the session
            Candidate(4, 11, -5),
        ),
        unmatched_penalty=2,
        forbidden={3: "own_street_centre", 1: "out_of_area"},  # 1: its other fitting offers are out of area
    )
    solution = solve(problem)
    assert keys(solution.pairs) == [(1, 10)]
    assert solution.unmatched == {
        1: "forbidden",
        2: "capacity_taken",
        3: "forbidden",
        4: "not_worth",
        5: "no_candidate",
    }
    assert solution.objective == 50 - 2 * (1 + 1 + 1 + 1 + 1)
    two, three, four = (solution.explanations[i] for i in (2, 3, 4))
    assert (two.offers, two.best_score, two.rival_score) == ((12, 10), 70, None)  # best candidate's offer: 12
    assert three.rule == "own_street_centre" and three.offers == ()
    assert (four.offers, four.best_score) == ((11,), -5)
    one = solution.explanations[1]
    assert (one.matched, one.wanted, one.rule) == (1, 2, "out_of_area")
    rival = solve(replace(problem, candidates=(Candidate(1, 10, 50), Candidate(2, 10, 40))))
    assert rival.explanations[2].rival_score == 50 and rival.explanations[2].best_score == 40


def test_invalid_problems_are_refused_with_the_fault_named() -> None:
    d, o = (DemandSlot(1, 1),), (OfferSlot(10, 1),)
    cases = {
        "duplicate demand or offer id": Problem(d + d, o, ()),
        "wanted and free must be ≥ 0": Problem((DemandSlot(1, -1),), o, ()),
        "names demand 2": Problem(d, o, (Candidate(2, 10, 1),)),
        "names offer 11": Problem(d, o, (Candidate(1, 11, 1),)),
        "listed twice": Problem(d, o, (Candidate(1, 10, 1), Candidate(1, 10, 2))),
        "unmatched_penalty must be ≥ 0": Problem(d, o, (), unmatched_penalty=-1),
        "within ±2^62": Problem(d, o, (Candidate(1, 10, 2**63),)),
    }
    for message, problem in cases.items():
        with pytest.raises(InvalidProblem, match=message.replace("^", r"\^")):
            solve(problem)


def test_rematch_refuses_impossible_fixed_pairs() -> None:
    d, o = (DemandSlot(1, 1), DemandSlot(2, 1)), (OfferSlot(10, 1),)
    with pytest.raises(InvalidProblem, match="exceed"):
        rematch(Problem(d, o, ()), [Candidate(1, 10, 1), Candidate(2, 10, 1)])
    with pytest.raises(InvalidProblem, match="unknown"):
        rematch(Problem(d, o, ()), [Candidate(3, 10, 1)])
    with pytest.raises(InvalidProblem, match="appears twice"):
        rematch(Problem((DemandSlot(1, 2),), (OfferSlot(10, 2),), ()), [Candidate(1, 10, 1)] * 2)


def test_rematch_after_a_decline_leaves_the_accepted_order_alone() -> None:
    problem = Problem(
        (DemandSlot(1, 1), DemandSlot(2, 1)),
        (OfferSlot(10, 1), OfferSlot(11, 1)),
        (Candidate(1, 10, 10), Candidate(1, 11, 9), Candidate(2, 10, 8), Candidate(2, 11, 1)),
    )
    first = solve(problem)
    assert keys(first.pairs) == [(1, 11), (2, 10)]
    # 2–10 accepted; 1–11 declined: 1 may not go to 10 (held by the accepted order), so it stays unmatched.
    again = rematch(problem, [first.pairs[1]], declined={(1, 11)})
    assert keys(again.pairs) == [(2, 10)] and again.unmatched == {1: "capacity_taken"}
    assert again.explanations[1].rival_score is None  # held by the accepted order, not by a pair of this solve
    assert again.objective == 8


def test_a_solver_failure_falls_back_to_greedy_and_says_so() -> None:
    huge = 2**60  # inside the input limit, beyond what OR-Tools' cost scaling accepts (BAD_COST_RANGE)
    problem = Problem(
        (DemandSlot(1, 1), DemandSlot(2, 1)),
        (OfferSlot(10, 1), OfferSlot(11, 1)),
        (Candidate(1, 10, huge), Candidate(1, 11, huge - 1), Candidate(2, 10, huge - 2)),
    )
    solution = solve(problem)
    assert not solution.optimal and "BAD_COST_RANGE" in solution.solver and "greedy" in solution.solver
    assert keys(solution.pairs) == [(1, 10)] and solution.unmatched == {2: "capacity_taken"}
    assert solution.objective == huge  # exact Python integers, not int64 sums


def test_the_solution_is_deterministic_and_sorted() -> None:
    problem = Problem(
        tuple(DemandSlot(i, 1) for i in (5, 3, 1)),
        (OfferSlot(7, 3),),
        (Candidate(5, 7, 1), Candidate(1, 7, 1), Candidate(3, 7, 1)),
    )
    assert keys(solve(problem).pairs) == [(1, 7), (3, 7), (5, 7)]
    assert solve(problem) == solve(problem)


def test_details_read_as_one_zh_sentence_within_the_column() -> None:
    base = UnmatchedExplanation(1, "capacity_taken", 3, 1, offers=tuple(range(100, 200)), best_score=40)
    held = detail_zh(replace(base, rival_score=55))
    assert held.startswith("需要3家服务方，已对接1家，尚缺2家：候选服务项目的承接能力已分配给整体得分更高的对接")
    assert "本需求最佳候选40分" in held and "最低55分" in held and "#107等100个" in held and "#108" not in held
    assert "此前的订单占满" in detail_zh(base)
    rule = UnmatchedExplanation(2, "forbidden", 1, 0, rule="own_street_centre")
    assert detail_zh(rule).endswith("（规则：own_street_centre）")
    assert detail_zh(rule, {"own_street_centre": "本街道服务中心回避"}).endswith("（规则：本街道服务中心回避）")
    assert "最高-5分" in detail_zh(UnmatchedExplanation(3, "not_worth", 1, 0, offers=(9,), best_score=-5))
    long = detail_zh(replace(rule, rule="x" * 600))
    assert len(long) == 500


def test_explain_refuses_a_solution_that_is_not_maximal() -> None:
    problem = Problem((DemandSlot(1, 1),), (OfferSlot(10, 1),), (Candidate(1, 10, 5),))
    with pytest.raises(RuntimeError, match="not maximal"):
        explain(index_problem(problem), np.zeros(1, dtype=bool))


def test_the_solver_is_pure() -> None:
    """No database, web or queue module arrives with the solver (checked in a fresh interpreter)."""
    script = (
        "import sys, programmes.matching.solver, programmes.matching.solver_explain\n"
        "bad = ('app', 'piccolo', 'litestar', 'asyncpg', 'arq', 'redis', 'programmes.matching.tables')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad or m in bad))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("seed", range(5))
def test_medium_instances_match_the_linear_programme(seed: int) -> None:
    """Beyond exhaustive reach (40 × 40): the LP relaxation (GLOP) — exact here, the constraint matrix of a
    bipartite b-matching is totally unimodular — gives the same optimum."""
    from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]

    rng = random.Random(seed)
    demands = tuple(DemandSlot(i, rng.randint(0, 4)) for i in range(40))
    offers = tuple(OfferSlot(100 + j, rng.randint(0, 4)) for j in range(40))
    candidates = tuple(
        Candidate(d.demand_id, o.offer_id, rng.randint(-10, 60)) for d in demands for o in offers if rng.random() < 0.15
    )
    problem = Problem(demands, offers, candidates, unmatched_penalty=rng.randint(0, 15))
    lp = pywraplp.Solver.CreateSolver("GLOP")
    x = {(c.demand_id, c.offer_id): lp.NumVar(0, 1, f"x{c.demand_id}_{c.offer_id}") for c in candidates}
    for d in demands:
        lp.Add(sum(v for (i, _), v in x.items() if i == d.demand_id) <= d.wanted)
    for o in offers:
        lp.Add(sum(v for (_, j), v in x.items() if j == o.offer_id) <= o.free)
    net = {(c.demand_id, c.offer_id): c.score + problem.unmatched_penalty for c in candidates}
    lp.Maximize(sum(net[k] * v for k, v in x.items()))
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    best = round(lp.Objective().Value()) - problem.unmatched_penalty * sum(d.wanted for d in demands)
    assert solve(problem).objective == best


def test_full_size_random_instances_match_exhaustive_search() -> None:
    """Hypothesis favours small cases; these are always 6 × 6, dense, contended, with the explanations checked."""
    rng = random.Random(13)
    for _ in range(150):
        demands = tuple(DemandSlot(i, rng.randint(0, 3)) for i in range(6))
        offers = tuple(OfferSlot(10 + j, rng.randint(0, 2)) for j in range(6))
        candidates = tuple(
            Candidate(d.demand_id, o.offer_id, rng.randint(-8, 25))
            for d in demands
            for o in offers
            if rng.random() < 0.6
        )
        problem = Problem(demands, offers, candidates, rng.randint(0, 10), {0: "out_of_area"})
        solution = solve(problem)
        assert solution.objective == brute_force(problem)[0]
        assert_feasible(problem, solution)
        assert_explained(problem, solution)
