"""Matching solver benchmark (programmes/matching/solver.py, pure code): printed, never a timed test.

    .venv/bin/python -m tests.perf.bench_matching_solver [--repeats 3] [--case NAME …] [--full-dense] [--no-record]

The instance: N demands × N offers, 50 candidate offers per demand on average (N = 5,000: 250,000 pairs), wanted
and free capacities uniform in 1–5 (Σ wanted ≈ Σ free, so offers are contended), scores 0–100 from a tag overlap,
a distance class and noise (the shape of programmes/matching/score.py's terms), unmatched penalty 20. Candidates
are ``Candidate`` objects with their terms, as the session service builds them; ``solve`` converts them itself.

Cases (each in a fresh child process, so its peak RSS — ``ru_maxrss``: interpreter, numpy, OR-Tools and the input
included — is its own; ``solve +MiB`` is the growth during the call alone, measured by resetting the peak via
/proc/self/clear_refs):

- ``solve/5000``: ``solver.solve`` — targets < 1 s and < 300 MiB peak.
- ``greedy/5000``: ``solver.greedy`` (best net score first, taken while both sides have room; conversion and
  explanations included, like ``solve``), its loss in objective against the optimum of the same instance, and
  ``greedy_speed_vs_solve`` = solve seconds / greedy seconds, both timed in that process.
- ``solve/N`` and ``dense/N`` for N = 500, 1,000, 2,000: the same instance through ``solve`` and through the dense
  min-cost flow baseline — every demand × offer arc (N² arcs; pairs not listed or not worth it priced above the
  "unmatched" arc, so the optimum is the same and checked equal), same OR-Tools solver, arrays prepared outside
  the timing (which favours the baseline). The dense time and memory at 5,000 (25 M arcs) are extrapolated from a
  power law fitted to the three dense runs, printed as such; ``--full-dense`` also runs ``dense/5000`` (≈ 2.7 GiB).
  Measured once on the 2-core development machine: dense/5000 took 13.5 s and 2,664 MiB peak (25 M arcs, the same
  objective as ``solve``), where the fit predicted 14–22 s and 2.9 GiB; solve/5000 took 0.4 s and 195 MiB.

``ratio`` = the baseline's seconds / these seconds. Results are appended to tests/perf/results.json.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

from programmes.matching.problem import Candidate, DemandSlot, OfferSlot, Problem
from programmes.matching.solver import greedy, solve
from tests.perf.bench_servers import RESULTS, record

PER_DEMAND = 50
PENALTY = 20
FULL = 5_000
DENSE_SIZES = (500, 1_000, 2_000)


def instance(n: int, seed: int = 7) -> Problem:
    rng = np.random.default_rng(seed)
    k = n * PER_DEMAND
    popular = (n * rng.random(2 * k) ** 2).astype(np.int64)  # some offers are much sought after: contention
    keys = np.unique(rng.integers(0, n, 2 * k) * n + popular)
    keys = rng.choice(keys, size=k, replace=False) if keys.size > k else keys
    demand, offer = keys // n, keys % n
    tags = rng.binomial(6, 0.35, k) * 10  # shared tags, 10 points each
    distance = rng.choice([20, 10, -30], size=k, p=[0.3, 0.5, 0.2])  # same street / same district / cross-district
    noise = rng.integers(0, 21, k)  # grade, track record, price fit
    score = np.clip(tags + distance + noise, -30, 100)
    return Problem(
        demands=tuple(DemandSlot(1 + i, w) for i, w in enumerate(rng.integers(1, 6, n).tolist())),
        offers=tuple(OfferSlot(1_000_001 + j, f) for j, f in enumerate(rng.integers(1, 6, n).tolist())),
        candidates=tuple(
            Candidate(1 + d, 1_000_001 + o, s, {"tags": t, "distance": di, "other": s - t - di})
            for d, o, s, t, di in zip(
                demand.tolist(), offer.tolist(), score.tolist(), tags.tolist(), distance.tolist(), strict=True
            )
        ),
        unmatched_penalty=PENALTY,
    )


def rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return math.nan


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux ≥ 4.0: VmHWM := VmRSS
    except OSError:
        return False
    return True


def timed(run: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    before, resettable = rss_mib("VmRSS"), reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    growth = round(rss_mib("VmHWM") - before, 1) if resettable else None
    return result, {"seconds": seconds, "cpu_seconds": cpu, "input_rss_mib": round(before, 1), "call_mib": growth}


def run_solve(n: int) -> dict[str, Any]:
    problem = instance(n)
    solution, measured = timed(lambda: solve(problem))
    return {
        **measured,
        "solver": solution.solver,
        "objective": solution.objective,
        "optimal": solution.optimal,
        "pairs": len(solution.pairs),
        "candidates": len(problem.candidates),
        "wanted": sum(d.wanted for d in problem.demands),
        "free": sum(o.free for o in problem.offers),
        "unmatched_demands": len(solution.unmatched),
        "reasons": {r: list(solution.unmatched.values()).count(r) for r in sorted(set(solution.unmatched.values()))},
    }


def run_greedy(n: int) -> dict[str, Any]:
    problem = instance(n)
    heuristic, measured = timed(lambda: greedy(problem))
    started = time.perf_counter()
    best = solve(problem)  # the optimum the loss is measured against, timed in the same process for the ratio
    solve_seconds = time.perf_counter() - started
    loss = best.objective - heuristic.objective
    return {
        **measured,
        "solver": heuristic.solver,
        "objective": heuristic.objective,
        "optimum": best.objective,
        "loss": loss,
        "loss_percent": round(100 * loss / abs(best.objective), 3) if best.objective else 0.0,
        "pairs": len(heuristic.pairs),
        "optimal_pairs": len(best.pairs),
        "solve_seconds": round(solve_seconds, 3),
        "greedy_speed_vs_solve": round(solve_seconds / measured["seconds"], 2),
    }


def dense_arrays(problem: Problem) -> tuple[list[Any], int, int]:
    """The textbook dense network: every demand × offer arc. Unlisted or worthless pairs cost more than leaving
    the unit unmatched (top + 1 > top), so no optimum uses them and the optimum equals the sparse one."""
    n, m = len(problem.demands), len(problem.offers)
    net = np.full((n, m), -1, dtype=np.int64)
    offer_at = {o.offer_id: j for j, o in enumerate(problem.offers)}
    demand_at = {d.demand_id: i for i, d in enumerate(problem.demands)}
    for c in problem.candidates:
        net[demand_at[c.demand_id], offer_at[c.offer_id]] = c.score + problem.unmatched_penalty
    top = max(int(net.max()), 0)
    wanted = np.array([d.wanted for d in problem.demands], dtype=np.int64)
    free = np.array([o.free for o in problem.offers], dtype=np.int64)
    sink = n + m
    tails = np.concatenate([np.repeat(np.arange(n), m), np.arange(n), n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([n + np.tile(np.arange(m), n), np.full(n + m, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n * m, dtype=np.int64), wanted, free])
    costs = np.concatenate([np.where(net > 0, top - net, top + 1).ravel(), np.full(n, top), np.zeros(m, np.int64)])
    supplies = np.concatenate([wanted, np.zeros(m, np.int64), [-int(wanted.sum())]])
    constant = top * int(wanted.sum())  # cost = constant − Σ net of the pairs
    return [tails, heads, caps, costs, supplies], constant, int(wanted.sum())


def run_dense(n: int) -> dict[str, Any]:
    problem = instance(n)
    (tails, heads, caps, costs, supplies), constant, units = dense_arrays(problem)
    del problem  # the baseline's input is its arrays

    def flow() -> int:
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        solver.set_nodes_supplies(np.arange(supplies.size, dtype=np.int32), supplies)
        if solver.solve() != solver.OPTIMAL:
            raise RuntimeError("dense min-cost flow did not reach OPTIMAL")
        return int(solver.optimal_cost())

    cost, measured = timed(flow)
    # objective = Σ score − penalty·unmatched = Σ net − penalty·Σ wanted = constant − cost − penalty·Σ wanted
    return {
        **measured,
        "solver": f"ortools.SimpleMinCostFlow, dense: {n * n + 2 * n:,} arcs",
        "objective": constant - cost - PENALTY * units,
        "arcs": n * n + 2 * n,
    }


CASES: dict[str, tuple[int, float | None, Callable[[], dict[str, Any]]]] = {
    f"solve/{FULL}": (FULL, 1.0, lambda: run_solve(FULL)),
    f"greedy/{FULL}": (FULL, None, lambda: run_greedy(FULL)),
    **{f"solve/{n}": (n, None, lambda n=n: run_solve(n)) for n in DENSE_SIZES},  # type: ignore[misc]
    **{f"dense/{n}": (n, None, lambda n=n: run_dense(n)) for n in (*DENSE_SIZES, FULL)},  # type: ignore[misc]
}
MEMORY_TARGET_MIB = 300


def child(name: str) -> int:
    measured = CASES[name][2]()
    measured["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(measured, ensure_ascii=False))
    return 0


def measure(name: str, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_matching_solver", "--child", name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    median: dict[str, Any] = runs[len(runs) // 2]
    median["runs"] = [round(r["seconds"], 3) for r in runs]
    return median


def extrapolate(measured: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Fit seconds = a·arcs^b and peak MiB = c + d·arcs to the dense runs; predict at FULL² + 2·FULL arcs."""
    runs = [measured[f"dense/{n}"] for n in DENSE_SIZES]
    arcs = np.array([r["arcs"] for r in runs], dtype=float)
    b, log_a = np.polyfit(np.log(arcs), np.log([r["seconds"] for r in runs]), 1)
    d, c = np.polyfit(arcs, [r["peak_rss_mib"] for r in runs], 1)
    full = FULL * FULL + 2 * FULL
    return {"arcs": full, "seconds": math.exp(log_a) * full**b, "exponent": b, "peak_rss_mib": c + d * full}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf.bench_matching_solver", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per case, each in a fresh process; median")
    parser.add_argument("--case", action="append", choices=list(CASES), help="default: all but dense/5000")
    parser.add_argument("--full-dense", action="store_true", help=f"also run dense/{FULL} (about 2 GiB)")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    names = args.case or [n for n in CASES if n != f"dense/{FULL}" or args.full_dense]
    measured = {name: measure(name, args.repeats) for name in names}
    return report(names, measured, args)


def report(names: list[str], measured: dict[str, dict[str, Any]], args: argparse.Namespace) -> int:
    header = f"{'case':<14} {'seconds':>8} {'cpu s':>6} {'peak MiB':>9} {'solve +MiB':>10} {'ratio':>7}  solver / notes"
    print(header)
    print("-" * len(header))
    dense_full = None
    if all(f"dense/{n}" in measured for n in DENSE_SIZES):
        dense_full = measured.get(f"dense/{FULL}") or extrapolate(measured)
    entries: list[dict[str, object]] = []
    failed = False
    for name in names:
        kind, size = name.split("/")[0], CASES[name][0]
        m = measured[name]
        baseline = measured.get(f"dense/{size}") or (dense_full if size == FULL else None)
        ratio = baseline["seconds"] / m["seconds"] if baseline and kind != "dense" else 1.0 if kind == "dense" else None
        if kind == "solve" and f"dense/{size}" in measured:
            m["same_objective_as_dense"] = m["objective"] == measured[f"dense/{size}"]["objective"]
            failed |= not m["same_objective_as_dense"]
        target = CASES[name][1]
        missed = target is not None and (m["seconds"] > target or m["peak_rss_mib"] > MEMORY_TARGET_MIB)
        failed |= missed
        skip = {"seconds", "cpu_seconds", "peak_rss_mib", "call_mib", "solver", "runs"}
        notes = {k: v for k, v in m.items() if k not in skip}
        shown = f"{ratio:>7.1f}" if ratio is not None else f"{'':>7}"
        call = f"{m['call_mib']:>10.0f}" if m.get("call_mib") is not None else f"{'n/a':>10}"
        flag = "  MISSED TARGET (< 1 s, < 300 MiB)" if missed else ""
        print(
            f"{name:<14} {m['seconds']:>8.3f} {m['cpu_seconds']:>6.2f} {m['peak_rss_mib']:>9.0f} {call} {shown}"
            f"  {m['solver']}  {json.dumps(notes, ensure_ascii=False)}{flag}"
        )
        entries.append(
            {
                "name": f"matching_solver/{name}",
                "seconds": round(m["seconds"], 3),
                "size": size,
                "cpu_seconds": round(m["cpu_seconds"], 3),
                "peak_rss_mib": m["peak_rss_mib"],
                "call_mib": m.get("call_mib"),
                "target_seconds": target,
                "solver": m["solver"],
                "ratio": round(ratio, 3) if ratio is not None else None,
                "baseline": f"matching_solver/dense/{size}",
                **notes,
            }
        )
    if dense_full is not None and f"dense/{FULL}" not in measured:
        print(
            f"\ndense/{FULL} extrapolated (not run): {dense_full['arcs']:,.0f} arcs, ≈ {dense_full['seconds']:.1f} s"
            f" (seconds ∝ arcs^{dense_full['exponent']:.2f} over {', '.join(map(str, DENSE_SIZES))}),"
            f" ≈ {dense_full['peak_rss_mib']:,.0f} MiB peak (linear in arcs); solve/{FULL}'s ratio uses this."
        )
    print("ratio = dense min-cost-flow seconds (same size) / these seconds; peak = the case's own process")
    if not args.no_record:
        record(entries, args.results)
        print(f"appended {len(entries)} entries to {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
