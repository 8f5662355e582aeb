"""Scoring benchmarks: reviewer assignment, fairness mode, and round aggregation (scoring/*.py, pure code).

    .venv/bin/python -m tests.perf.bench_scoring [--repeats 1] [--case NAME …] [--no-record]

Each case runs in a fresh child process (``--child``) so that its peak RSS (``ru_maxrss``, interpreter and
libraries included) is its own. Every row names the library used and a baseline measured in the same run:

- ``assignment/10000x500x5``: 10,000 applications × 500 experts × 5 reviews, 2 % random conflicts, tag-overlap
  affinity (3 of 40 tags per application, 5 per expert), half the experts in 250 organisations (one expert per
  organisation per application), max load 1.2 × the average. Ours: pruned candidate graph, certified. Baseline: the
  plain dense graph (every eligible pair) through the same OR-Tools min-cost flow. Targets: < 5 s, < 1 GiB.
- ``fair/2000x200x3``: fairness mode (max floor, then total) on 2,000 × 200 × 3; profiles also carry a domain and a
  track (default weights) and max load is the average, so every expert is full and the plain optimum leaves some
  applications with a weak team. Baseline: the same algorithm on the dense graph. Target: < 2 s.
- ``aggregation/100000``: 100,000 reviews (25,000 applications × 4 of 500 experts, 4 criteria, two allowing N/A)
  through statistics, calibration, ICC(1) and ranking with two tie-break criteria. Ours: numpy from columns, and
  from ``Review`` objects (conversion included). Baseline: a plain Python/Fraction loop computing the same things
  (its ranking is checked equal). Target: < 0.1 s (issue 18; 0.175 s before the single-key sorts and the
  C-level look-ups in aggregate_round).

``ratio`` = baseline seconds / these seconds (how many times faster than the baseline; 1.0 for the baseline).
Results are appended to tests/perf/results.json as ``{name, seconds, size, …}``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from scoring.aggregation import Criterion, Review, RoundRules, ScoreRows, aggregate_round, review_score
from scoring.assignment import AffinityWeights, ApplicationProfile, ExpertProfile, Mode, assign_reviewers
from tests.perf.bench_servers import RESULTS, record

TAG_OVERLAP = AffinityWeights(per_shared_tag=10, domain=0, track=0)
CRITERIA = [
    Criterion("特色", 30, 10),
    Criterion("品质", 30, 10),
    Criterion("创新", 20, 10, allow_na=True),
    Criterion("温度", 20, 10, allow_na=True),
]
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def assignment_instance(n: int, e: int, k: int, *, fair: bool = False, seed: int = 1) -> dict[str, Any]:
    """The assignment case: tags only, max load 1.2 × average. The fairness case adds a domain (8) and a track (3)
    to every profile, scored with the default weights, and tightens max load to the average (every expert full)."""
    rng = random.Random(seed)
    tags, domains, tracks = [f"tag{i}" for i in range(40)], [f"domain{i}" for i in range(8)], ["a", "b", "c"]
    apps = [
        ApplicationProfile(i, frozenset(rng.sample(tags, 3)), rng.choice(domains), rng.choice(tracks))
        if fair
        else ApplicationProfile(i, frozenset(rng.sample(tags, 3)))
        for i in range(n)
    ]
    load = math.ceil((1.0 if fair else 1.2) * n * k / e)
    experts = [
        ExpertProfile(
            100_000 + j,
            load,
            tags=frozenset(rng.sample(tags, 5)),
            domains=frozenset([rng.choice(domains)]) if fair else frozenset(),
            tracks=frozenset([rng.choice(tracks)]) if fair else frozenset(),
            affiliations=frozenset([f"org{rng.randrange(e // 2)}"]) if rng.random() < 0.5 else frozenset(),
        )
        for j in range(e)
    ]
    hit = np.random.default_rng(seed).random((n, e)) < 0.02
    rows, cols = np.nonzero(hit)
    forbidden = list(zip(rows.tolist(), (cols + 100_000).tolist(), strict=True))
    return {"applications": apps, "experts": experts, "reviews_per_application": k, "forbidden": forbidden}


def run_assignment(n: int, e: int, k: int, mode: Mode, dense: bool) -> dict[str, Any]:
    fair = mode == "fair"
    instance = assignment_instance(n, e, k, fair=fair)
    started, cpu = time.perf_counter(), time.process_time()
    result = assign_reviewers(
        **instance,
        weights=AffinityWeights() if fair else TAG_OVERLAP,
        mode=mode,
        candidates_per_application=e if dense else None,
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    notes: dict[str, Any] = {}
    if fair:  # what fairness bought: the plain optimum's floor on the same instance (not timed)
        plain = assign_reviewers(**instance, candidates_per_application=e if dense else None)
        notes = {"plain_min_affinity": plain.min_application_affinity, "plain_total": plain.total_affinity}
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "solver": result.solver,
        "total_affinity": result.total_affinity,
        "min_affinity": result.min_application_affinity,
        "bounds": [result.total_bound, result.min_bound],
        "optimal": result.optimal,
        **notes,
        "conflicts": len(instance["forbidden"]),
    }


def aggregation_rows(
    reviews: int = 100_000, per_app: int = 4, experts: int = 500
) -> tuple[ScoreRows, dict[int, datetime]]:
    rng = np.random.default_rng(7)
    apps = reviews // per_app
    app_ids = np.repeat(np.arange(apps, dtype=np.int64), per_app)
    expert_ids = np.argsort(rng.random((apps, experts)), axis=1)[:, :per_app].ravel().astype(np.int64)
    bias = rng.normal(0, 1.5, experts)  # harsh and lenient experts, for calibration to matter
    quality = rng.normal(6, 1.5, apps)
    raw = quality[app_ids, None] + bias[expert_ids, None] + rng.normal(0, 1, (reviews, len(CRITERIA)))
    scores = np.clip(np.rint(raw), 0, 10).astype(np.int64)
    answered = np.ones_like(scores, dtype=bool)
    answered[:, 2:] = rng.random((reviews, 2)) > 0.1
    submitted = {a: T0 + timedelta(minutes=a % 997) for a in range(apps)}
    return ScoreRows(app_ids, expert_ids, scores, answered), submitted


def as_reviews(rows: ScoreRows) -> list[Review]:
    codes = [c.code for c in CRITERIA]
    return [
        Review(a, e, {code: (v if ok else None) for code, v, ok in zip(codes, s, mask, strict=True)})
        for a, e, s, mask in zip(
            rows.application_ids.tolist(),
            rows.expert_ids.tolist(),
            rows.scores.tolist(),
            rows.answered.tolist(),
            strict=True,
        )
    ]


RULES = RoundRules(CRITERIA, method="calibrated_mean", tie_break=("特色", "品质"))


def naive_round(reviews: list[Review], submitted: dict[int, datetime]) -> list[int]:
    """The baseline: the same statistics, calibration, ICC(1) and ranking in plain Python (Fraction, statistics)."""
    by_app: dict[int, list[tuple[int, Fraction]]] = defaultdict(list)
    by_expert: dict[int, list[Fraction]] = defaultdict(list)
    answered: dict[tuple[int, str], list[int]] = defaultdict(list)
    for r in reviews:
        score = review_score(CRITERIA, r.scores)
        by_app[r.application_id].append((r.expert_id, score))
        by_expert[r.expert_id].append(score)
        for code in RULES.tie_break:
            if (value := r.scores.get(code)) is not None:
                answered[r.application_id, code].append(value)
    every = [float(s) for scores in by_expert.values() for s in scores]
    mean, sd = statistics.fmean(every), statistics.pstdev(every)
    experts = {
        e: (statistics.fmean(map(float, s)), statistics.pstdev(map(float, s)), len(s) > 1 and len(set(s)) > 1)
        for e, s in by_expert.items()
    }
    keys: dict[int, tuple[Any, ...]] = {}
    for app, rated in by_app.items():
        values = sorted(s for _, s in rated)
        _median, _trimmed = statistics.median(values), sum(values[1:-1], Fraction(0)) / max(len(values) - 2, 1)
        z = [(float(s) - experts[e][0]) / experts[e][1] if experts[e][2] else 0.0 for e, s in rated]
        calibrated = round(statistics.fmean(mean + sd * v for v in z) * 10**RULES.calibrated_places)
        criteria = [-Fraction(sum(v), len(v)) if (v := answered[app, c]) else 1 for c in RULES.tie_break]
        keys[app] = (-calibrated, *criteria, statistics.pvariance(values), submitted[app], app)
    grand = statistics.fmean(every)
    a, total = len(by_app), len(every)
    app_means = {app: statistics.fmean(float(s) for _, s in rated) for app, rated in by_app.items()}
    msb = sum(len(rated) * (app_means[app] - grand) ** 2 for app, rated in by_app.items()) / (a - 1)
    msw = sum((float(s) - app_means[app]) ** 2 for app, rated in by_app.items() for _, s in rated) / (total - a)
    n0 = (total - sum(len(rated) ** 2 for rated in by_app.values()) / total) / (a - 1)
    _icc = (msb - msw) / (msb + (n0 - 1) * msw)
    return sorted(keys, key=keys.__getitem__)


def run_aggregation(variant: str) -> dict[str, Any]:
    rows, submitted = aggregation_rows()
    reviews = as_reviews(rows) if variant != "columns" else []
    started, cpu = time.perf_counter(), time.process_time()
    if variant == "python-loop":
        order = naive_round(reviews, submitted)
        solver = "plain Python: fractions.Fraction + statistics"
    else:
        result = aggregate_round(RULES, rows if variant == "columns" else reviews, submitted)
        order = result.application_ids[result.order].tolist()
        solver = f"numpy {np.__version__}" + (" (from Review objects)" if variant == "reviews" else " (from columns)")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    check = aggregate_round(RULES, rows, submitted)
    same = order == check.application_ids[check.order].tolist()
    extra = {"icc1": round(check.reliability.icc1 or 0.0, 4), "same_ranking_as_numpy": same}
    if variant == "columns":
        started = time.perf_counter()
        check.results(), check.ranking()
        extra["materialise_seconds"] = round(time.perf_counter() - started, 3)
    return {"seconds": seconds, "cpu_seconds": cpu, "solver": solver, **extra}


CASES: dict[str, tuple[int, float | None, str, Callable[[], dict[str, Any]]]] = {
    # name: (size, target seconds, baseline case, run)
    "assignment/10000x500x5/pruned": (
        10_000,
        5.0,
        "assignment/10000x500x5/dense",
        lambda: run_assignment(10_000, 500, 5, "total", dense=False),
    ),
    "assignment/10000x500x5/dense": (
        10_000,
        None,
        "assignment/10000x500x5/dense",
        lambda: run_assignment(10_000, 500, 5, "total", dense=True),
    ),
    "fair/2000x200x3/pruned": (
        2_000,
        2.0,
        "fair/2000x200x3/dense",
        lambda: run_assignment(2_000, 200, 3, "fair", dense=False),
    ),
    "fair/2000x200x3/dense": (
        2_000,
        None,
        "fair/2000x200x3/dense",
        lambda: run_assignment(2_000, 200, 3, "fair", dense=True),
    ),
    "aggregation/100000/numpy": (100_000, 0.1, "aggregation/100000/python-loop", lambda: run_aggregation("columns")),
    "aggregation/100000/numpy-from-reviews": (
        100_000,
        0.5,  # includes building the columns from 100,000 Review objects
        "aggregation/100000/python-loop",
        lambda: run_aggregation("reviews"),
    ),
    "aggregation/100000/python-loop": (
        100_000,
        None,
        "aggregation/100000/python-loop",
        lambda: run_aggregation("python-loop"),
    ),
}


def child(name: str) -> int:
    measured = CASES[name][3]()
    measured["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(measured, ensure_ascii=False))
    return 0


def measure(name: str, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_scoring", "--child", name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        run: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
    runs.sort(key=lambda r: r["seconds"])
    median = runs[len(runs) // 2]
    median["runs"] = [round(r["seconds"], 3) for r in runs]
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_scoring", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per case, each in a fresh process; median")
    parser.add_argument("--case", action="append", choices=list(CASES), help="default: all")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    names = args.case or list(CASES)
    names += [CASES[n][2] for n in names if CASES[n][2] not in names]
    measured = {name: measure(name, args.repeats) for name in names}
    header = f"{'case':<40} {'seconds':>8} {'cpu s':>7} {'peak MiB':>9} {'target':>7} {'ratio':>6}  solver / notes"
    print(header)
    print("-" * len(header))
    entries: list[dict[str, object]] = []
    failed = False
    for name in names:
        size, target, baseline, _ = CASES[name]
        m = measured[name]
        ratio = measured[baseline]["seconds"] / m["seconds"]
        missed = target is not None and m["seconds"] > target
        failed |= missed
        notes = {k: v for k, v in m.items() if k not in {"seconds", "cpu_seconds", "peak_rss_mib", "solver", "runs"}}
        shown_target = f"<{target:g}" if target else ""
        flag = "  MISSED TARGET" if missed else ""
        print(
            f"{name:<40} {m['seconds']:>8.3f} {m['cpu_seconds']:>7.2f} {m['peak_rss_mib']:>9.0f} {shown_target:>7}"
            f" {ratio:>6.2f}  {m['solver']}  {json.dumps(notes, ensure_ascii=False)}{flag}"
        )
        entries.append(
            {
                "name": f"scoring/{name}",
                "seconds": round(m["seconds"], 3),
                "size": size,
                "cpu_seconds": round(m["cpu_seconds"], 3),
                "peak_rss_mib": m["peak_rss_mib"],
                "target_seconds": target,
                "solver": m["solver"],
                "ratio": round(ratio, 3),
                "baseline": f"scoring/{baseline}",
                **notes,
            }
        )
    print("\nratio = baseline seconds / seconds (times faster than the baseline); peak = the case's own process")
    if not args.no_record:
        record(entries, args.results)
        print(f"appended {len(entries)} entries to {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
