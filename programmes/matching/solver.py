"""The matching solver (聚力计划 对接): optimal capacity-aware matching of demands to offers. Pure: plain data in
(``problem.Problem``), pairs + reasons out (``problem.Solution``); no database, web or queue import.

Maximise Σ score(pairs) − penalty × (unmatched units), subject to: demand d gets at most ``wanted_d`` providers,
offer o at most ``free_o`` units, each listed candidate pair at most once, nothing else.

The min-cost flow (OR-Tools ``SimpleMinCostFlow``, exact on integers):

    demand d (supply wanted_d) ──cap 1, cost W − net(d,o)──▶ offer o ──cap free_o, cost 0──▶ sink (supply −Σ wanted)
    demand d ──cap wanted_d, cost W──▶ sink                    (the "unmatched" arc: a unit left without a provider)

with net(d,o) = score(d,o) + penalty and W = the largest net. Why this is exact: every demand sends exactly
wanted_d units, so a flow is a set of pairs (the cap-1 arcs) plus unmatched units, and its cost is
W·Σ wanted − Σ_pairs net = W·Σ wanted − Σ_pairs score − penalty·(matched units)
                         = −objective + (W − penalty)·Σ wanted,
an affine function of the objective with a constant that does not depend on the pairs. Conversely every feasible
matching is such a flow (its unmatched units take the bypass arcs, which never run out). Minimum cost ⇔ maximum
objective, and min-cost flow on integer capacities has an integral optimum, so the cap-1 arcs carry 0 or 1: pairs
are unique. Shifting by W keeps every cost ≥ 0 (the solver's cost scaling needs no negative arcs) without changing
the argmin (all of a demand's arcs get the same +W and it always sends wanted_d units).

Pairs with net ≤ 0 are left out of the graph: a pair of negative net lowers the objective wherever it appears
(dropping it is always feasible), one of net 0 changes nothing; so the optimum is the same and the graph smaller.
So are pairs whose demand wants nothing or whose offer has nothing free; a demand left with no pair just sends its
units along its unmatched arc.

Incremental re-matching (``rematch``): accepted orders are fixed pairs. The objective is a sum over pairs and
unmatched units, and a fixed pair only consumes one unit of its demand's ``wanted`` and its offer's ``free``; so
the feasible completions of the fixed pairs are exactly the feasible solutions of the reduced problem
(``remainder``: wanted and free lowered, the fixed and declined pairs removed) and
objective(fixed ∪ X) = Σ score(fixed) + objective_reduced(X). The best completion is ``solve(remainder(…))`` —
the fixed pairs are never touched. The session service already builds that reduced problem (wanted = providers
wanted − live orders, free = capacity − orders holding it), so ``solve`` on it is the re-match.

Failure: malformed input raises ``InvalidProblem`` (a ValueError naming the fault). If OR-Tools does not report
OPTIMAL (e.g. BAD_COST_RANGE for scores beyond ~2^59), the solution falls back to ``greedy`` and says so
(``optimal=False``, ``solver``); the explanations stay valid for it (see solver_explain.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

from programmes.matching.problem import Candidate, DemandSlot, OfferSlot, Problem, Solution
from programmes.matching.solver_explain import explain

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
SCORE_LIMIT = 2**62  # |score| and penalty below this: Σ and the shifted costs stay inside int64


class InvalidProblem(ValueError):
    """The problem's data contradicts itself (duplicate ids, unknown ids, negative capacity, …)."""


@dataclass(frozen=True)
class Indexed:
    """A validated problem as arrays: demands 0‥n−1 and offers 0‥m−1 in the problem's order, one row per candidate."""

    problem: Problem
    demand_ids: Ints
    offer_ids: Ints
    wanted: Ints
    free: Ints
    demand: Ints  # per candidate: the demand's index
    offer: Ints  # per candidate: the offer's index
    score: Ints  # per candidate

    @property
    def net(self) -> Ints:
        """What a pair adds to the objective: its score plus the penalty it saves."""
        return self.score + self.problem.unmatched_penalty

    def usable(self) -> Bools:
        """Pairs that can raise the objective: positive net, something wanted and something free."""
        return (self.net > 0) & (self.wanted[self.demand] > 0) & (self.free[self.offer] > 0)


def solve(problem: Problem) -> Solution:
    """The optimal matching of ``problem``, with an explanation for every demand left with units unmatched."""
    index = index_problem(problem)
    chosen, note = optimal_pairs(index)
    if chosen is None:
        return assemble(index, greedy_pairs(index), optimal=False, solver=f"greedy fallback ({note}): not optimal")
    return assemble(index, chosen, optimal=True, solver=note)


def greedy(problem: Problem) -> Solution:
    """The heuristic baseline: pairs by net score, best first, taken while both sides have room. Not optimal."""
    index = index_problem(problem)
    return assemble(index, greedy_pairs(index), optimal=False, solver="greedy by score")


def remainder(
    problem: Problem, fixed_pairs: Iterable[Candidate], declined: Collection[tuple[int, int]] = ()
) -> Problem:
    """The problem left once ``fixed_pairs`` (accepted orders) hold their units: wanted and free lowered by them,
    their pairs and the ``declined`` (demand id, offer id) pairs removed from the candidates."""
    fixed = list(fixed_pairs)
    wanted = {d.demand_id: d.wanted for d in problem.demands}
    free = {o.offer_id: o.free for o in problem.offers}
    seen: set[tuple[int, int]] = set()
    for pair in fixed:
        key = (pair.demand_id, pair.offer_id)
        if pair.demand_id not in wanted or pair.offer_id not in free:
            raise InvalidProblem(f"fixed pair {key} names an unknown demand or offer")
        if key in seen:
            raise InvalidProblem(f"fixed pair {key} appears twice")
        seen.add(key)
        wanted[pair.demand_id] -= 1
        free[pair.offer_id] -= 1
        if wanted[pair.demand_id] < 0 or free[pair.offer_id] < 0:
            raise InvalidProblem(f"fixed pairs exceed the wanted or free units at {key}")
    gone = seen | set(declined)
    return replace(
        problem,
        demands=tuple(DemandSlot(d.demand_id, wanted[d.demand_id]) for d in problem.demands),
        offers=tuple(OfferSlot(o.offer_id, free[o.offer_id]) for o in problem.offers),
        candidates=tuple(c for c in problem.candidates if (c.demand_id, c.offer_id) not in gone),
    )


def rematch(problem: Problem, fixed_pairs: Iterable[Candidate], declined: Collection[tuple[int, int]] = ()) -> Solution:
    """Re-match after declines: ``fixed_pairs`` (accepted orders, counted in ``problem``'s wanted and free) stay
    as they are; the rest is solved optimally without the ``declined`` pairs. The result lists the fixed pairs and
    the new ones; its objective and explanations are over the whole problem (see the module docstring)."""
    fixed = tuple(fixed_pairs)
    rest = solve(remainder(problem, fixed, declined))
    held = Counter(p.demand_id for p in fixed)
    explanations = {
        d: replace(e, wanted=e.wanted + held[d], matched=e.matched + held[d]) for d, e in rest.explanations.items()
    }
    return replace(
        rest,
        pairs=tuple(sorted(fixed + rest.pairs, key=lambda c: (c.demand_id, c.offer_id))),
        objective=rest.objective + sum(p.score for p in fixed),
        explanations=explanations,
        solver=f"{rest.solver}; {len(fixed)} fixed pairs kept",
    )


def objective(problem: Problem, pairs: Iterable[Candidate]) -> int:
    """Σ score − penalty × unmatched units of ``pairs`` (no feasibility check; extra pairs fill no extra units)."""
    chosen = list(pairs)
    per_demand = Counter(p.demand_id for p in chosen)
    matched = sum(min(d.wanted, per_demand[d.demand_id]) for d in problem.demands)
    unmatched = sum(d.wanted for d in problem.demands) - matched
    return sum(p.score for p in chosen) - problem.unmatched_penalty * unmatched


def index_problem(problem: Problem) -> Indexed:
    demand_ids = np.fromiter((d.demand_id for d in problem.demands), np.int64, len(problem.demands))
    offer_ids = np.fromiter((o.offer_id for o in problem.offers), np.int64, len(problem.offers))
    wanted = np.fromiter((d.wanted for d in problem.demands), np.int64, len(problem.demands))
    free = np.fromiter((o.free for o in problem.offers), np.int64, len(problem.offers))
    k = len(problem.candidates)
    cand_demand = np.fromiter((c.demand_id for c in problem.candidates), np.int64, k)
    cand_offer = np.fromiter((c.offer_id for c in problem.candidates), np.int64, k)
    try:
        score = np.fromiter((c.score for c in problem.candidates), np.int64, k)
    except OverflowError as exc:
        raise InvalidProblem("candidate scores must lie within ±2^62") from exc
    if np.unique(demand_ids).size != demand_ids.size or np.unique(offer_ids).size != offer_ids.size:
        raise InvalidProblem("duplicate demand or offer id")
    if (wanted < 0).any() or (free < 0).any():
        raise InvalidProblem("wanted and free must be ≥ 0")
    if not 0 <= problem.unmatched_penalty < SCORE_LIMIT or (np.abs(score) >= SCORE_LIMIT).any():
        raise InvalidProblem("unmatched_penalty must be ≥ 0 and scores within ±2^62")
    demand = _positions(demand_ids, cand_demand, "demand")
    offer = _positions(offer_ids, cand_offer, "offer")
    if k and np.unique(demand * max(offer_ids.size, 1) + offer).size != k:
        raise InvalidProblem("a (demand, offer) pair is listed twice among the candidates")
    return Indexed(problem, demand_ids, offer_ids, wanted, free, demand, offer, score)


def optimal_pairs(index: Indexed) -> tuple[Bools | None, str]:
    """Per candidate: chosen by the min-cost flow (module docstring), or None with the solver's status."""
    usable = np.flatnonzero(index.usable())
    chosen = np.zeros(index.score.size, dtype=bool)
    if not usable.size:
        return chosen, "nothing to match"
    # Nodes: demands 0‥n−1, offers n‥n+m−1, the sink n+m (unused nodes cost nothing; compacting would cost sorts).
    n, m = index.wanted.size, index.free.size
    sink = n + m
    net = index.net[usable]
    top = int(net.max())
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([index.demand[usable], np.arange(n), n + np.arange(m)]).astype(np.int32),
        np.concatenate([n + index.offer[usable], np.full(n + m, sink)]).astype(np.int32),
        np.concatenate([np.ones(usable.size, dtype=np.int64), index.wanted, index.free]),
        np.concatenate([top - net, np.full(n, top, dtype=np.int64), np.zeros(m, dtype=np.int64)]),
    )
    supplies = np.concatenate([index.wanted, np.zeros(m, dtype=np.int64), [-int(index.wanted.sum())]])
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:  # never read flows otherwise (OR-Tools 9.15 may crash after INFEASIBLE)
        return None, f"ortools min-cost flow status {status.name}"
    flows = np.asarray(solver.flows(np.arange(usable.size, dtype=np.int32)), dtype=np.int64)
    chosen[usable[flows > 0]] = True
    return chosen, f"ortools.SimpleMinCostFlow, {n + m + 1:,} nodes, {usable.size + n + m:,} arcs"


def greedy_pairs(index: Indexed) -> Bools:
    """Best net first (ties: the problem's candidate order), a pair taken while both sides still have room."""
    usable = np.flatnonzero(index.usable())
    order = usable[np.argsort(-index.net[usable], kind="stable")]
    wanted, free = index.wanted.tolist(), index.free.tolist()
    chosen = np.zeros(index.score.size, dtype=bool)
    for i, d, o in zip(order.tolist(), index.demand[order].tolist(), index.offer[order].tolist(), strict=True):
        if wanted[d] and free[o]:
            wanted[d] -= 1
            free[o] -= 1
            chosen[i] = True
    return chosen


def assemble(index: Indexed, chosen: Bools, *, optimal: bool, solver: str) -> Solution:
    problem = index.problem
    picked = np.flatnonzero(chosen)
    picked = picked[np.lexsort((index.offer_ids[index.offer[picked]], index.demand_ids[index.demand[picked]]))]
    matched = np.bincount(index.demand[picked], minlength=index.wanted.size)
    unmatched_units = int((index.wanted - matched).sum())
    explanations = explain(index, chosen)
    return Solution(
        pairs=tuple(problem.candidates[i] for i in picked.tolist()),
        unmatched={d: e.reason for d, e in explanations.items()},
        objective=sum(index.score[picked].tolist()) - problem.unmatched_penalty * unmatched_units,
        optimal=optimal,
        explanations=explanations,
        solver=solver,
    )


def _positions(ids: Ints, wanted_ids: Ints, what: str) -> Ints:
    """Index in ``ids`` of every value of ``wanted_ids`` (InvalidProblem naming the first unknown one)."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    at = np.searchsorted(ordered, wanted_ids)
    known = at < ids.size
    known[known] = ordered[at[known]] == wanted_ids[known]
    if not known.all():
        raise InvalidProblem(f"a candidate names {what} {int(wanted_ids[~known][0])}, which is not in the problem")
    return order[at]
