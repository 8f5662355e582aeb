"""Reviewer assignment (评审分配): a pure solver, no I/O. Model, proofs and measurements: docs/scoring.md.

``assign_reviewers`` gives every application k reviewers while never assigning a forbidden (conflict-of-interest)
pair, keeping each expert's load within [min_load, max_load], and putting at most one expert of an affiliation group
on an application. ``mode="total"`` maximises total affinity — OR-Tools min-cost flow on a pruned candidate graph,
certified optimal on the full graph by reduced costs (scoring/assignment_flow.py). ``mode="fair"`` then raises the
floor: the smallest per-application total first, the total second. Every pair comes with the affinity components
that justify it; infeasible input raises ``AssignmentInfeasible`` listing which applications (or experts) fail and why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from scoring.assignment_arrays import affiliation_groups, index_pairs, onehot, split_rows
from scoring.assignment_flow import Ints, Network

Mode = Literal["total", "fair"]


@dataclass(frozen=True)
class ApplicationProfile:
    id: int
    tags: frozenset[str] = frozenset()
    domain: str | None = None
    track: str | None = None


@dataclass(frozen=True)
class ExpertProfile:
    id: int
    max_load: int
    min_load: int = 0
    tags: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    tracks: frozenset[str] = frozenset()
    affiliations: frozenset[str] = frozenset()  # organisations the expert belongs to or advises


@dataclass(frozen=True)
class AffinityWeights:
    """affinity = per_shared_tag · |shared tags| + domain · [domain match] + track · [track match] (integers ≥ 0)."""

    per_shared_tag: int = 10
    domain: int = 20
    track: int = 5


@dataclass(frozen=True)
class Affinity:
    total: int
    shared_tags: tuple[str, ...]
    domain_match: bool
    track_match: bool


@dataclass(frozen=True)
class AssignedPair:
    application_id: int
    expert_id: int
    affinity: Affinity


@dataclass(frozen=True)
class Shortfall:
    """One reason the input is infeasible: ``code`` is stable English, ``message`` is for officers (zh-CN)."""

    code: str
    message: str
    application_ids: tuple[int, ...] = ()
    expert_ids: tuple[int, ...] = ()
    needed: int | None = None  # reviews (or load) wanted …
    eligible: int | None = None  # … and what the eligible experts can give (experts, or reviews)


class AssignmentInfeasible(ValueError):
    def __init__(self, shortfalls: Sequence[Shortfall]) -> None:
        self.shortfalls = tuple(shortfalls)
        super().__init__("；".join(s.message for s in self.shortfalls[:5]))


@dataclass(frozen=True)
class AssignmentResult:
    pairs: tuple[AssignedPair, ...]  # new pairs, sorted by (application, expert); locked pairs are not repeated
    total_affinity: int  # over new and locked pairs
    min_application_affinity: int  # the smallest per-application total (new + locked); 0 without applications
    mode: Mode
    solver: str
    optimal: bool  # proven optimal on the full graph for the mode's objective (fair: the floor, then the total)
    total_bound: int  # proven upper bound on total_affinity: the certified optimum of mode "total"
    min_bound: int  # proven upper bound on min_application_affinity: each application's best team, loads ignored
    candidate_edges: int  # edges in the solved (pruned) graph
    eligible_edges: int  # edges in the full graph
    rounds: int  # flow solves


def assign_reviewers(
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    reviews_per_application: int,
    *,
    forbidden: Collection[tuple[int, int]] = (),
    locked: Collection[tuple[int, int]] = (),
    weights: AffinityWeights = AffinityWeights(),
    mode: Mode = "total",
    candidates_per_application: int | None = None,
    fairness_rounds: int = 40,
    fairness_exact_edges: int = 5_000,
    fairness_time_limit: float = 1.0,
) -> AssignmentResult:
    """Assign ``reviews_per_application`` reviewers to every application; ``locked`` (application id, expert id)
    pairs are kept and count towards k, the loads and the affiliation rule (incremental reassignment after a
    decline). ``forbidden`` pairs are never assigned. Pairs naming unknown ids are ignored.

    ``candidates_per_application`` (default max(4k, 12)) only changes speed: the answer is certified on the full
    graph either way. Mode "fair" runs at most ``fairness_rounds`` flow rounds with multipliers; when they do not
    reach the proven bounds and the candidate graph has at most ``fairness_exact_edges`` edges, CP-SAT then solves
    it exactly within ``fairness_time_limit`` deterministic seconds (one worker: reproducible).
    """
    problem = _Problem(applications, experts, reviews_per_application, forbidden, locked, weights)
    net = problem.net
    m = candidates_per_application or max(4 * reviews_per_application, 12)
    cand, solution, rounds = net.solve_total(m)
    if solution is None:
        raise AssignmentInfeasible(problem.explain())
    chosen = cand[:, solution.assigned]
    total_bound = int(problem.totals(chosen).sum())
    min_bound = int((net.best_alone() + problem.locked_affinity).min()) if net.n else 0
    eligible = sum(int(net.eligible(b).sum()) for b in net.blocks())
    solver = f"ortools.SimpleMinCostFlow on {cand.shape[1]:,} of {eligible:,} edges"
    solver += ", full graph" if cand.shape[1] == eligible else ", pruned, reduced-cost certified"
    exact = False
    if mode == "fair":
        chosen, used = problem.raise_floor(cand, chosen, min_bound, fairness_rounds)
        rounds += used
        solver += f"; fair: {used} multiplier rounds"
        if problem.key(chosen) < (min_bound, total_bound) and 0 < cand.shape[1] <= fairness_exact_edges:
            chosen, status = problem.polish(cand, chosen, total_bound, fairness_time_limit)
            solver += f", then ortools CP-SAT ({status})"
            exact = status == "OPTIMAL" and cand.shape[1] == eligible
    totals = problem.totals(chosen)
    low = int(totals.min()) if totals.size else 0
    return AssignmentResult(
        pairs=problem.explain_pairs(chosen),
        total_affinity=int(totals.sum()),
        min_application_affinity=low,
        mode=mode,
        solver=solver,
        optimal=mode == "total" or exact or (low == min_bound and int(totals.sum()) == total_bound),
        total_bound=total_bound,
        min_bound=min_bound,
        candidate_edges=int(cand.shape[1]),
        eligible_edges=eligible,
        rounds=rounds,
    )


def affinity(application: ApplicationProfile, expert: ExpertProfile, weights: AffinityWeights) -> Affinity:
    """The components of one pair's affinity (the solver computes the same numbers in bulk)."""
    shared = tuple(sorted(application.tags & expert.tags))
    domain = application.domain is not None and application.domain in expert.domains
    track = application.track is not None and application.track in expert.tracks
    total = weights.per_shared_tag * len(shared) + weights.domain * domain + weights.track * track
    return Affinity(total, shared, domain, track)


class _Problem:
    """Profiles turned into the integer Network, plus the domain-facing parts: fairness, explanations."""

    def __init__(
        self,
        applications: Sequence[ApplicationProfile],
        experts: Sequence[ExpertProfile],
        k: int,
        forbidden: Collection[tuple[int, int]],
        locked: Collection[tuple[int, int]],
        weights: AffinityWeights,
    ) -> None:
        if k < 0 or any(x.min_load < 0 or x.max_load < x.min_load for x in experts):
            raise ValueError("need k ≥ 0 and 0 ≤ min_load ≤ max_load for every expert")
        if min(weights.per_shared_tag, weights.domain, weights.track) < 0:
            raise ValueError("affinity weights must be ≥ 0")
        self.apps, self.experts, self.weights = list(applications), list(experts), weights
        n, ne = len(self.apps), len(self.experts)
        app_index = {a.id: i for i, a in enumerate(self.apps)}
        expert_index = {x.id: j for j, x in enumerate(self.experts)}
        if len(app_index) != n or len(expert_index) != ne:
            raise ValueError("duplicate application or expert id")
        tags = sorted({t for a in self.apps for t in a.tags} & {t for x in self.experts for t in x.tags})
        domains = sorted({a.domain for a in self.apps if a.domain is not None})
        tracks = sorted({a.track for a in self.apps if a.track is not None})
        app_features = np.hstack(
            [
                onehot([a.tags for a in self.apps], tags) * weights.per_shared_tag,
                onehot([{a.domain} - {None} for a in self.apps], domains) * weights.domain,
                onehot([{a.track} - {None} for a in self.apps], tracks) * weights.track,
            ]
        )
        expert_features = np.hstack(
            [
                onehot([x.tags for x in self.experts], tags),
                onehot([x.domains for x in self.experts], domains),
                onehot([x.tracks for x in self.experts], tracks),
            ]
        )
        wmax = weights.per_shared_tag * len(tags) + weights.domain + weights.track
        if wmax >= 2**24:  # float32 sums of non-negative integers are exact while they stay below 2²⁴
            app_features, expert_features = app_features.astype(np.float64), expert_features.astype(np.float64)
        la, le = index_pairs(locked, app_index, expert_index)
        fa, fe = index_pairs(forbidden, app_index, expert_index)
        if np.intersect1d(la * ne + le, fa * ne + fe).size:
            raise ValueError("a locked pair is also forbidden")
        group = affiliation_groups([x.affiliations for x in self.experts])
        locked_load = np.bincount(le, minlength=ne)
        # A locked expert's whole affiliation group is closed to that application (one expert per group).
        ga, ge = np.nonzero(group[le][:, None] == group[None, :])
        self.net = Network(
            app_features=app_features,
            expert_features=expert_features,
            wmax=wmax,
            group=group,
            demand=k - np.bincount(la, minlength=n),
            upper=np.array([x.max_load for x in self.experts], dtype=np.int64) - locked_load,
            lower=np.maximum(np.array([x.min_load for x in self.experts], dtype=np.int64) - locked_load, 0),
            banned=np.unique(np.concatenate([fa * ne + fe, la[ga] * ne + ge])),
        )
        if (self.net.demand < 0).any() or (self.net.upper < 0).any():
            raise ValueError("locked pairs exceed k or an expert's max_load")
        self.conflicts = np.bincount(fa, minlength=n)
        locked_w = np.einsum("ij,ij->i", app_features[la], expert_features[le]) if la.size else np.zeros(0)
        self.locked_affinity = np.bincount(la, weights=np.rint(locked_w), minlength=n).astype(np.int64)

    def totals(self, chosen: Ints) -> Ints:
        """Per-application total affinity (locked + chosen)."""
        return self.locked_affinity + np.bincount(chosen[0], weights=chosen[2], minlength=self.net.n).astype(np.int64)

    def raise_floor(self, cand: Ints, chosen: Ints, bound: int, rounds: int) -> tuple[Ints, int]:
        """Fairness by multipliers (a Lagrangian heuristic; the exact problem is NP-hard). Raise: every application
        at or below the best floor so far has its affinity weights doubled and the flow is solved again, until the
        floor reaches the proven bound. Relax: halve all multipliers while the floor holds, to win back total.
        Keeps the lexicographically best (floor, total), so it is never worse than the plain optimum."""
        net = self.net
        best, best_key = chosen, self.key(chosen)
        multiplier = best_multiplier = np.ones(net.n, dtype=np.int64)
        ceiling = max(1, 2**50 // max(net.wmax * (cand.shape[1] + net.n + net.e + 2), 1))  # OR-Tools cost range
        used = 0
        while used < rounds and best_key[0] < bound:
            multiplier = np.where(self.totals(chosen) <= best_key[0], np.minimum(multiplier * 2, ceiling), multiplier)
            chosen = self._solve(cand, multiplier)
            used += 1
            if (key := self.key(chosen)) > best_key:
                best, best_key, best_multiplier = chosen, key, multiplier
        multiplier = best_multiplier
        while used < rounds and multiplier.max() > 1:
            multiplier = np.maximum(multiplier // 2, 1)
            chosen = self._solve(cand, multiplier)
            used += 1
            if (key := self.key(chosen))[0] < best_key[0]:
                break
            if key > best_key:
                best, best_key = chosen, key
        return best, used

    def _solve(self, cand: Ints, multiplier: Ints) -> Ints:
        solution = self.net.flow(cand, multiplier)
        if solution is None:  # the same graph was feasible a moment ago
            raise RuntimeError("candidate graph became infeasible")
        return cand[:, solution.assigned]

    def key(self, chosen: Ints) -> tuple[int, int]:
        totals = self.totals(chosen)
        return (int(totals.min()) if totals.size else 0, int(totals.sum()))

    def polish(self, cand: Ints, best: Ints, total_bound: int, seconds: float) -> tuple[Ints, str]:
        """CP-SAT on the candidate edges: maximise floor · (total_bound + 1) + total, hinted with the best solution
        so far; returns the better of the two. Exact on the candidate graph when the status is OPTIMAL."""
        net, (a, e, w) = self.net, cand
        model = cp_model.CpModel()
        x = [model.new_bool_var(f"x{i}") for i in range(a.size)]
        hint = np.zeros(a.size, dtype=bool)
        hint[np.flatnonzero(np.isin(a * net.e + e, best[0] * net.e + best[1]))] = True
        for var, h in zip(x, hint.tolist(), strict=True):
            model.add_hint(var, h)
        floor = model.new_int_var(
            0, int(self.locked_affinity.max(initial=0)) + int(net.demand.max(initial=0)) * net.wmax, "floor"
        )
        by_app = split_rows(a, net.n)
        for i, rows in enumerate(by_app):
            model.add(sum(x[r] for r in rows) == int(net.demand[i]))
            model.add(floor <= int(self.locked_affinity[i]) + sum(int(w[r]) * x[r] for r in rows))
        for j, rows in enumerate(split_rows(e, net.e)):
            model.add_linear_constraint(sum(x[r] for r in rows), int(net.lower[j]), int(net.upper[j]))
        key = a * net.groups + net.group[e]
        for rows in split_rows(np.unique(key, return_inverse=True)[1].ravel(), int(key.size)):
            if len(rows) > 1:
                model.add(sum(x[r] for r in rows) <= 1)
        model.maximize(floor * (total_bound + 1) + sum(int(w[r]) * x[r] for r in range(a.size)))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.max_time_in_seconds = 4 * seconds
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = cand[:, np.array([solver.boolean_value(v) for v in x], dtype=bool)]
            if self.key(found) > self.key(best):
                best = found
        return best, solver.status_name(status)

    def explain_pairs(self, chosen: Ints) -> tuple[AssignedPair, ...]:
        order = np.lexsort((chosen[1], chosen[0]))
        tags = [tuple(sorted(a.tags)) for a in self.apps]
        w = self.weights
        out = []
        for a, e, total in zip(*(c[order].tolist() for c in chosen), strict=True):
            app, expert = self.apps[a], self.experts[e]
            shared = tuple(t for t in tags[a] if t in expert.tags)
            domain = app.domain is not None and app.domain in expert.domains
            track = app.track is not None and app.track in expert.tracks
            assert total == w.per_shared_tag * len(shared) + w.domain * domain + w.track * track
            out.append(AssignedPair(app.id, expert.id, Affinity(total, shared, domain, track)))
        return tuple(out)

    def explain(self) -> list[Shortfall]:
        """Why no assignment exists: counting checks first (they name the culprits directly), then min cuts."""
        net = self.net
        need, low, cap = int(net.demand.sum()), int(net.lower.sum()), int(net.upper.sum())
        out: list[Shortfall] = []
        order, starts = net.group_order()
        per_expert = np.zeros(net.e, dtype=np.int64)
        for b in net.blocks():
            ok = net.eligible(b)
            per_expert += ok.sum(axis=0)
            groups = np.logical_or.reduceat(ok[:, order], starts, axis=1).sum(axis=1) if net.e else ok.sum(axis=1)
            for i in (np.flatnonzero(groups < net.demand[b]) + b.start).tolist():
                g, d, c = int(groups[i - b.start]), int(net.demand[i]), int(self.conflicts[i])
                message = (
                    f"申报 {self.apps[i].id} 还需 {d} 位评审专家，排除利益冲突（{c} 位）和同单位限制后只有 {g} 位可选"
                )
                out.append(Shortfall("too_few_eligible_experts", message, (self.apps[i].id,), (), d, g))
        if need > cap:
            message = f"共需 {need} 份评审，专家最多可承担 {cap} 份，缺 {need - cap} 份"
            out.append(Shortfall("capacity_short", message, needed=need, eligible=cap))
        if low > need:
            out.append(Shortfall("min_load_exceeds_demand", f"专家最低任务量合计 {low} 份，超过所需的 {need} 份评审"))
        for j in np.flatnonzero(per_expert < net.lower).tolist():
            x, count, minimum = self.experts[j], int(per_expert[j]), int(net.lower[j])
            message = f"专家 {x.id} 的最低任务量为 {minimum} 份，但只有 {count} 份申报可以分给该专家"
            out.append(Shortfall("expert_min_load_unreachable", message, (), (x.id,)))
        if out:
            return out
        if (cut := net.cut(net.upper, need)) is not None:
            side, into_app, _ = cut
            apps = np.flatnonzero(side[: net.n] & (net.demand > 0))
            wanted, got = int(net.demand[apps].sum()), int(into_app[apps].sum())
            ids = "、".join(str(self.apps[i].id) for i in apps[:20]) + ("等" if apps.size > 20 else "")
            message = f"申报 {ids}（{apps.size} 份）共需 {wanted} 份评审，可评审它们的专家最多只能承担 {got} 份"
            experts = np.flatnonzero(side[net.n : net.n + net.e])
            app_ids, expert_ids = tuple(self.apps[i].id for i in apps), tuple(self.experts[j].id for j in experts)
            out.append(Shortfall("contention", message, app_ids, expert_ids, wanted, got))
        if (cut := net.cut(net.lower, low)) is not None:
            _, _, out_of_expert = cut
            short = np.flatnonzero(out_of_expert < net.lower)
            wanted, got = int(net.lower[short].sum()), int(out_of_expert[short].sum())
            message = f"{short.size} 位专家的最低任务量合计 {wanted} 份，可分给他们的申报最多只能提供 {got} 份"
            out.append(Shortfall("min_load_contention", message, (), tuple(self.experts[j].id for j in short)))
        return out or [Shortfall("infeasible", "无法同时满足评审人数、任务量和回避要求")]
