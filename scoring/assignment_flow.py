"""The flow network behind scoring/assignment.py (pure, numpy + OR-Tools): pruning, solving, certifying, cutting.

Nodes: applications 0‥n−1 (supply = reviews still needed), experts n‥n+E−1 (supply = −min load), the sink n+E
(supply = −(Σ demand − Σ min load)), then one node per (application, affiliation group) that has two or more
candidate experts. Arcs: application → expert, or application → group node (capacity 1) → expert, capacity 1 and
cost ``w_max − affinity``; expert → sink with capacity max − min load and cost 0. Every application sends exactly
its demand, so minimum cost ⇔ maximum total affinity. See docs/scoring.md for the pruning proof.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow  # type: ignore[import-untyped]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
CELLS_PER_BLOCK = 2_000_000  # application rows are processed in blocks of about this many (row, expert) cells


@dataclass
class FlowSolution:
    tails: Ints
    heads: Ints
    caps: Ints
    costs: Ints
    flows: Ints
    assigned: Bools  # per candidate edge
    group_keys: Ints  # sorted application · groups + group, for each group node
    group_nodes: Ints
    nodes: int


@dataclass
class Network:
    """Integer data of one assignment problem, indexed 0‥n−1 (applications) and 0‥E−1 (experts)."""

    app_features: npt.NDArray[np.float32]  # affinity = app_features @ expert_features.T (small integers: exact)
    expert_features: npt.NDArray[np.float32]
    wmax: int  # an upper bound of every affinity
    group: Ints  # affiliation group of each expert (0‥groups−1)
    demand: Ints  # reviews each application still needs
    upper: Ints  # remaining max load per expert
    lower: Ints  # remaining min load per expert
    banned: Ints  # sorted application · E + expert pairs that may never be assigned

    @property
    def n(self) -> int:
        return int(self.demand.size)

    @property
    def e(self) -> int:
        return int(self.upper.size)

    @property
    def groups(self) -> int:
        return int(self.group.max()) + 1 if self.e else 1

    def blocks(self) -> list[slice]:
        rows = max(1, CELLS_PER_BLOCK // max(self.e, 1))
        return [slice(s, min(s + rows, self.n)) for s in range(0, self.n, rows)]

    def affinity(self, rows: slice) -> Ints:
        product: npt.NDArray[np.float32] = self.app_features[rows] @ self.expert_features.T
        return np.rint(product).astype(np.int64)

    def eligible(self, rows: slice) -> Bools:
        start, stop, _ = rows.indices(self.n)
        ok = np.broadcast_to(self.upper > 0, (stop - start, self.e)).copy()
        ok[self.demand[rows] == 0] = False
        lo, hi = np.searchsorted(self.banned, [start * self.e, stop * self.e])
        ok.ravel()[self.banned[lo:hi] - start * self.e] = False
        return ok

    def group_order(self) -> tuple[Ints, Ints]:
        """Experts sorted by group, and where each group starts in that order."""
        order = np.argsort(self.group, kind="stable")
        return order, np.flatnonzero(np.r_[True, np.diff(self.group[order]) != 0]) if self.e else order

    def candidates(self, m: int) -> Ints:
        """Rows (application, expert, affinity): each application's m best eligible experts (ties spread over the
        experts by a fixed per-application rotation), plus, for experts with a minimum load, their 2·min best
        applications in each block. m ≥ E gives the full graph."""
        parts = [np.zeros((3, 0), dtype=np.int64)]
        need = self.lower > 0
        q = int(2 * self.lower.max()) if need.any() else 0
        for b in self.blocks():
            w, ok = self.affinity(b), self.eligible(b)
            rows = np.arange(b.start, b.stop)
            rotation = (np.arange(self.e)[None, :] * 7919 + rows[:, None]) % max(self.e, 1)
            key = np.where(ok, w * self.e + rotation, -1)
            pick = np.ones_like(ok)
            if m < self.e:
                pick[:] = False
                np.put_along_axis(pick, np.argpartition(-key, m - 1, axis=1)[:, :m], True, axis=1)
            if q and q < rows.size:
                extra = np.zeros((rows.size, int(need.sum())), dtype=bool)
                np.put_along_axis(extra, np.argpartition(-key[:, need], q - 1, axis=0)[:q], True, axis=0)
                pick[:, need] |= extra
            elif q:
                pick[:, need] = True
            ra, re_ = np.nonzero(pick & ok)
            parts.append(np.stack([ra + b.start, re_, w[ra, re_]]))
        return np.concatenate(parts, axis=1)

    def graph(self, cand: Ints, cost: Ints) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints, Bools]:
        """Arcs (tails, heads, caps, costs): candidate edges (direct ones, then those via group nodes), application
        → group node, expert → sink. Also the group keys and nodes, and which candidates go through a group node."""
        a, e, _ = cand
        n, ne = self.n, self.e
        key = a * self.groups + self.group[e]
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        shared = counts[inverse.ravel()] >= 2
        gkeys = uniq[counts >= 2]
        gnodes = n + ne + 1 + np.arange(gkeys.size)
        via = gnodes[np.searchsorted(gkeys, key[shared])]
        tails = np.concatenate([a[~shared], via, gkeys // self.groups, n + np.arange(ne)])
        heads = np.concatenate([n + e[~shared], n + e[shared], gnodes, np.full(ne, n + ne)])
        caps = np.concatenate([np.ones(a.size + gkeys.size, dtype=np.int64), self.upper - self.lower])
        costs = np.concatenate([cost[~shared], cost[shared], np.zeros(gkeys.size + ne, dtype=np.int64)])
        return tails, heads, caps, costs, gkeys, gnodes, shared

    def flow(self, cand: Ints, multiplier: Ints | None = None) -> FlowSolution | None:
        """Min-cost flow on the candidate edges (cost × multiplier of the application); None when infeasible."""
        cost = self.wmax - cand[2] if multiplier is None else (self.wmax - cand[2]) * multiplier[cand[0]]
        tails, heads, caps, costs, gkeys, gnodes, shared = self.graph(cand, cost)
        n, ne = self.n, self.e
        nodes = n + ne + 1 + gkeys.size
        supply = np.zeros(nodes, dtype=np.int64)
        supply[:n], supply[n : n + ne] = self.demand, -self.lower
        supply[n + ne] = -(self.demand.sum() - self.lower.sum())
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
        solver.set_nodes_supplies(np.arange(nodes, dtype=np.int32), supply)
        status = solver.solve()
        if status == solver.INFEASIBLE:  # never read flows after INFEASIBLE: OR-Tools 9.15 crashes
            return None
        if status != solver.OPTIMAL:
            raise RuntimeError(f"min-cost flow: {status}")
        flows = np.asarray(solver.flows(np.arange(tails.size, dtype=np.int32)), dtype=np.int64)
        direct = int((~shared).sum())
        assigned = np.zeros(shared.size, dtype=bool)
        assigned[~shared], assigned[shared] = flows[:direct] > 0, flows[direct : shared.size] > 0
        return FlowSolution(tails, heads, caps, costs, flows, assigned, gkeys, gnodes, nodes)

    def solve_total(self, m: int, max_rounds: int = 6) -> tuple[Ints, FlowSolution | None, int]:
        """Solve on the m-pruned graph; add back every eligible edge the certificate rejects and solve again; when
        the pruned graph is infeasible double m. Falls back to the full graph after max_rounds. Always optimal."""
        rounds, cand = 0, self.candidates(m)
        while True:
            rounds += 1
            full = m >= self.e or rounds >= max_rounds
            if full and m < self.e:
                m, cand = self.e, self.candidates(self.e)
            solution = self.flow(cand)
            if solution is None and not full:
                m = min(self.e, 2 * m)
                cand = np.unique(np.concatenate([cand, self.candidates(m)], axis=1), axis=1)
                continue
            if solution is None or full:
                return cand, solution, rounds
            missing = self.certify(cand, solution)
            if missing.shape[1] == 0:
                return cand, solution, rounds
            cand = np.concatenate([cand, missing], axis=1)

    def certify(self, cand: Ints, f: FlowSolution) -> Ints:
        """Eligible edges outside the candidate graph with negative reduced cost under node potentials π of the
        optimal flow (shortest-path distances in its residual graph). An edge a → e left out would enter at node π_a
        (or the node of (a, e's group) when that exists). Empty result ⇒ no negative cycle in the full residual
        graph ⇒ the flow is optimal on the full graph."""
        fwd, back = f.flows < f.caps, f.flows > 0
        tails = np.concatenate([f.tails[fwd], f.heads[back]])
        heads = np.concatenate([f.heads[fwd], f.tails[back]])
        pot = potentials(tails, heads, np.concatenate([f.costs[fwd], -f.costs[back]]), f.nodes)
        order, starts = self.group_order()
        sizes = np.diff(np.r_[starts, self.e])
        flat = np.sort(cand[0] * self.e + cand[1])
        out = [np.zeros((3, 0), dtype=np.int64)]
        for b in self.blocks():
            ok = self.eligible(b)
            lo, hi = np.searchsorted(flat, [b.start * self.e, b.stop * self.e])
            ok.ravel()[flat[lo:hi] - b.start * self.e] = False
            source = np.repeat(pot[b][:, None], self.e, axis=1)
            glo, ghi = np.searchsorted(f.group_keys, [b.start * self.groups, b.stop * self.groups])
            keys, nodes = f.group_keys[glo:ghi], f.group_nodes[glo:ghi]
            g, count = keys % self.groups, sizes[keys % self.groups]
            member = order[np.repeat(starts[g] - np.cumsum(count) + count, count) + np.arange(count.sum())]
            source[np.repeat(keys // self.groups - b.start, count), member] = np.repeat(pot[nodes], count)
            w = self.affinity(b)
            bad = ok & ((self.wmax - w) + source - pot[self.n : self.n + self.e][None, :] < 0)
            ra, re_ = np.nonzero(bad)
            out.append(np.stack([ra + b.start, re_, w[ra, re_]]))
        return np.concatenate(out, axis=1)

    def best_alone(self) -> Ints:
        """Per application: the best total affinity of `demand` eligible experts from distinct groups, ignoring
        loads. One per group is a partition matroid, so the greedy (group maxima, then the top ones) is exact."""
        order, starts = self.group_order()
        best = np.zeros(self.n, dtype=np.int64)
        for b in self.blocks():
            w = np.where(self.eligible(b), self.affinity(b), -1)[:, order]
            top = np.maximum.reduceat(w, starts, axis=1) if self.e else w
            deepest = min(int(self.demand.max()), top.shape[1])
            if 0 < deepest < top.shape[1]:
                top = np.partition(top, top.shape[1] - deepest, axis=1)[:, top.shape[1] - deepest :]
            top = -np.sort(-top, axis=1)
            used = np.arange(top.shape[1])[None, :] < self.demand[b][:, None]
            best[b] = np.where(used, np.maximum(top, 0), 0).sum(axis=1)
        return best

    def cut(self, sink_caps: Ints, wanted: int) -> tuple[Bools, Ints, Ints] | None:
        """Max flow source → application (cap demand) → … → expert → sink (cap sink_caps) on the full graph. When
        it carries less than `wanted`: the source side of the min cut (a Hall violator), flow into each application
        and flow out of each expert."""
        full = self.candidates(self.e)
        tails, heads, caps, _, gkeys, _, _ = self.graph(full, np.zeros(full.shape[1], dtype=np.int64))
        n, ne = self.n, self.e
        source = n + ne + 1 + gkeys.size
        caps[caps.size - ne :] = sink_caps
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(
            np.r_[tails, np.full(n, source)].astype(np.int32),
            np.r_[heads, np.arange(n)].astype(np.int32),
            np.r_[caps, self.demand],
        )
        if solver.solve(source, n + ne) != solver.OPTIMAL:
            raise RuntimeError("max flow failed")
        if solver.optimal_flow() >= wanted:
            return None
        side = np.zeros(source + 1, dtype=bool)
        side[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
        flows = np.asarray(solver.flows(np.arange(tails.size + n, dtype=np.int32)), dtype=np.int64)
        return side, flows[tails.size :], flows[tails.size - ne : tails.size]


def potentials(tails: Ints, heads: Ints, costs: Ints, nodes: int) -> Ints:
    """Bellman–Ford from a virtual root joined to every node at cost 0, relaxing all arcs at once per round.
    Terminates because an optimal flow's residual graph has no negative cycle."""
    order = np.argsort(heads, kind="stable")
    t, c = tails[order], costs[order]
    targets, starts = np.unique(heads[order], return_index=True)
    dist = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes + 1):
        if not t.size:
            return dist
        relaxed = np.minimum(dist[targets], np.minimum.reduceat(dist[t] + c, starts))
        if np.array_equal(relaxed, dist[targets]):
            return dist
        dist[targets] = relaxed
    raise RuntimeError("negative cycle in an optimal flow's residual graph")
