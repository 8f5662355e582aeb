"""Scoring through the database: a round's 100,000 submitted reviews aggregated and ranked end to end.

    .venv/bin/python -m tests.perf.bench_scoring_db [--applications 20000] [--repeats 3] [--no-rank] [--no-record]

Creates its own database ``seedbed_bench_<pid>`` on the local PostgreSQL (``SEEDBED_BENCH_POSTGRES`` overrides the
admin DSN, default ``postgresql://postgres@127.0.0.1:5432/postgres``), migrates it with ``python -m app.site.cli
migrate``, and drops it at the end, whatever happens. The measuring runs in a child process (``--child``) whose
``SEEDBED_DATABASE_URL`` points at that database before any app module is imported. The child bulk-loads with
asyncpg ``COPY``: one contest round (``calibrated_mean``, 5 reviews per application, 3 criteria — 40/40/20, the
third allowing N/A, answered N/A 10 % of the time), 400 organisations, 20,000 applications ``in_review``, 500
experts (users with an ``expert`` account), 100,000 ``submitted`` review assignments (5 distinct experts per
application, integer scores from application quality + expert harshness + noise), then ``ANALYZE``.

Cases (after one untimed warm-up of each; ``--repeats`` runs alternating, the median counts):

- ``aggregate/100000/piccolo``: ``scoring.ranking.aggregate(round_id)`` — the round, rubric, applications and
  reviews through Piccolo (the reviews as one ``json_agg`` document via ``Table.raw``), then the pure
  ``aggregate_round`` (statistics, calibration, ICC(1), ranking). This is what ``GET /rounds/{id}/reliability``
  and closing a round do. Target: < 5 s.
- ``aggregate/100000/piccolo-select``: the same with the review loading ``aggregate`` had before (a Piccolo select
  with ``.output(load_json=True)`` and the application ids as an IN list), for comparison; skipped above 32,766
  applications, where that IN list exceeds asyncpg's 32,767 query arguments.
- ``aggregate/100000/asyncpg``: the baseline — the same four queries on one raw asyncpg connection, ``json.loads``
  per row, ``Review`` objects and the same ``aggregate_round``. Every variant's ranking and ICC are checked equal.
- ``close_round/100000/rank_round``: ``scoring.ranking.rank_round(round_id)`` (the aggregate, then per application a
  ``RankingEntry`` insert and the ``rank`` transition with its audit row) inside a transaction that is rolled back
  after the rows are counted. Informational, no target; once per run.

``ratio`` = baseline seconds / these seconds (below 1: slower than raw asyncpg). Results are appended to
tests/perf/results.json as ``{name, seconds, size, …}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import numpy as np

from tests.perf.bench_servers import RESULTS, record

ROOT = Path(__file__).resolve().parents[2]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 5.0
REVIEWS_PER_APPLICATION = 5
ORGANISATIONS = 400
# code, name, weight, max_score, allow_na
CRITERIA = (("特色", "有特色", 40, 10, False), ("品质", "有品质", 40, 10, False), ("温度", "有温度", 20, 10, True))
IN_REVIEW = ["in_review", "ranked"]
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


# --- fixtures (child) --------------------------------------------------------------------------------------------


def credit_code(i: int) -> str:
    from app.organisations.credit_code import check_character

    first17 = f"52310000{i:09d}"
    return first17 + check_character(first17)


def score_rows(applications: int, experts: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Row-major (application index, expert index, scores JSON) for ``applications`` × 5 reviews."""
    rng = np.random.default_rng(seed)
    k = REVIEWS_PER_APPLICATION
    chosen = np.argpartition(rng.random((applications, experts), dtype=np.float32), k, axis=1)[:, :k]
    app_idx = np.repeat(np.arange(applications), k)
    expert_idx = chosen.ravel()
    quality = rng.normal(6, 1.5, applications)
    harshness = rng.normal(0, 1.2, experts)
    raw = quality[app_idx, None] + harshness[expert_idx, None] + rng.normal(0, 1, (app_idx.size, len(CRITERIA)))
    scores = np.clip(np.rint(raw), 0, 10).astype(np.int64).tolist()
    na = (rng.random(app_idx.size) < 0.1).tolist()
    codes = [c[0] for c in CRITERIA]
    texts = [
        json.dumps({codes[0]: s[0], codes[1]: s[1], codes[2]: None if skip else s[2]}, ensure_ascii=False)
        for s, skip in zip(scores, na, strict=True)
    ]
    return app_idx, expert_idx, texts


async def load_fixtures(connection: asyncpg.Connection, applications: int, experts: int) -> dict[str, Any]:
    from app.reference import District

    started = time.perf_counter()
    districts = [d.value for d in District]
    programme = await connection.fetchval(
        "INSERT INTO programme (name, kind) VALUES ('基准大赛', 'contest') RETURNING id"
    )
    edition = await connection.fetchval(
        "INSERT INTO edition (programme, year, title) VALUES ($1, 2026, '2026 基准') RETURNING id", programme
    )
    form = await connection.fetchval(
        "INSERT INTO form_version (edition, title, json_schema) VALUES ($1, '申报表', '{}') RETURNING id", edition
    )
    round_id = await connection.fetchval(
        "INSERT INTO round (edition, name, status, form, opens_at, closes_at, aggregation_method,"
        " reviews_per_application, allow_multiple_entries)"
        " VALUES ($1, '初赛', 'open', $2, $3, $4, 'calibrated_mean', $5, true) RETURNING id",
        edition,
        form,
        T0 - timedelta(days=30),
        T0 + timedelta(days=30),
        REVIEWS_PER_APPLICATION,
    )
    await connection.copy_records_to_table(
        "criterion",
        columns=["round", "code", "name", "weight", "max_score", "position", "allow_na"],
        records=[(round_id, c[0], c[1], c[2], c[3], i, c[4]) for i, c in enumerate(CRITERIA)],
    )
    await connection.copy_records_to_table(
        "organisation",
        columns=["name", "org_type", "credit_code", "district"],
        records=[
            (f"基准社会组织{i:04d}", "social_service_institution", credit_code(i), districts[i % len(districts)])
            for i in range(ORGANISATIONS)
        ],
    )
    org_ids = [r["id"] for r in await connection.fetch("SELECT id FROM organisation ORDER BY id")]
    await connection.copy_records_to_table(
        "piccolo_user",
        columns=["username", "password", "email", "active"],
        records=[(f"bench_expert_{j:04d}", "!", f"bench_expert_{j:04d}@bench.invalid", True) for j in range(experts)],
    )
    user_ids = [r["id"] for r in await connection.fetch("SELECT id FROM piccolo_user ORDER BY id")]
    await connection.copy_records_to_table(
        "account",
        columns=["user", "role", "display_name"],
        records=[(user, "expert", f"专家{j:04d}") for j, user in enumerate(user_ids)],
    )
    await connection.copy_records_to_table(
        "application",
        columns=[
            "round",
            "organisation",
            "entry_number",
            "title",
            "status",
            "submitted_at",
            "form_version",
            "organisation_district",
            "eligibility_outcome",
        ],
        records=[
            (
                round_id,
                org_ids[i % ORGANISATIONS],
                i // ORGANISATIONS + 1,
                f"基准项目{i:05d}",
                "in_review",
                T0 + timedelta(seconds=37 * i % 86_400),
                form,
                districts[i % ORGANISATIONS % len(districts)],
                "eligible",
            )
            for i in range(applications)
        ],
    )
    app_ids = [
        r["id"] for r in await connection.fetch("SELECT id FROM application WHERE round = $1 ORDER BY id", round_id)
    ]
    app_idx, expert_idx, texts = score_rows(applications, experts)
    apps, users = np.array(app_ids)[app_idx].tolist(), np.array(user_ids)[expert_idx].tolist()
    await connection.copy_records_to_table(
        "review_assignment",
        columns=["application", "expert", "status", "scores", "submitted_at", "due_at"],
        records=[
            (a, e, "submitted", text, T0 + timedelta(days=10, minutes=i % 5000), T0 + timedelta(days=14))
            for i, (a, e, text) in enumerate(zip(apps, users, texts, strict=True))
        ],
    )
    await connection.execute("ANALYZE")
    return {"round_id": round_id, "reviews": len(texts), "load_seconds": time.perf_counter() - started}


# --- measured code (child) ---------------------------------------------------------------------------------------


async def baseline(connection: asyncpg.Connection, round_id: int) -> tuple[Any, dict[str, float]]:
    """``aggregate`` without the ORM: the same queries on one asyncpg connection, then the same pure code."""
    from scoring.aggregation import Criterion, Review, RoundRules, aggregate_round

    started = time.perf_counter()
    round_row = await connection.fetchrow(
        "SELECT aggregation_method, reviews_per_application FROM round WHERE id = $1", round_id
    )
    criteria = [
        Criterion(r["code"], r["weight"], r["max_score"], allow_na=r["allow_na"])
        for r in await connection.fetch(
            "SELECT code, weight, max_score, allow_na FROM criterion WHERE round = $1 ORDER BY position", round_id
        )
    ]
    applications = await connection.fetch(
        "SELECT id, submitted_at, scope_district, track, status FROM application"
        " WHERE round = $1 AND status = ANY($2::varchar[])",
        round_id,
        IN_REVIEW,
    )
    by_id = {a["id"]: dict(a) for a in applications}
    reviews = await connection.fetch(
        "SELECT ra.application, ra.expert, ra.scores FROM review_assignment ra"
        " JOIN application a ON a.id = ra.application"
        " WHERE a.round = $1 AND ra.status = 'submitted' AND ra.application = ANY($2::int[])",
        round_id,
        list(by_id),
    )
    fetched = time.perf_counter()
    rows = [Review(r["application"], r["expert"], json.loads(r["scores"])) for r in reviews]
    decoded = time.perf_counter()
    assert round_row is not None
    rules = RoundRules(
        criteria=criteria,
        method=round_row["aggregation_method"],
        tie_break=[c.code for c in criteria],
        min_reviews=round_row["reviews_per_application"],
    )
    submitted_at = {r.application_id: by_id[r.application_id]["submitted_at"] for r in rows}
    result = aggregate_round(rules, rows, submitted_at)
    done = time.perf_counter()
    return result, {"fetch": fetched - started, "decode": decoded - fetched, "aggregate_round": done - decoded}


async def piccolo_select(round_id: int) -> Any:
    """``aggregate`` as it was before it loaded the reviews with one ``json_agg``: a Piccolo select with
    ``.output(load_json=True)`` and the application ids as an IN list (which fails above 32,767 ids)."""
    from programmes.tables import Application, Round
    from scoring.aggregation import Review, RoundRules, aggregate_round
    from scoring.ranking import rubric
    from scoring.tables import ReviewAssignment

    round_row = (
        await Round.select(Round.aggregation_method, Round.reviews_per_application).where(Round.id == round_id).first()
    )
    assert round_row is not None
    criteria = await rubric(round_id)
    applications = await Application.select(
        Application.id, Application.submitted_at, Application.scope_district, Application.track, Application.status
    ).where((Application.round == round_id) & Application.status.is_in(IN_REVIEW))
    by_id = {a["id"]: dict(a) for a in applications}
    reviews = (
        await ReviewAssignment.select(ReviewAssignment.application, ReviewAssignment.expert, ReviewAssignment.scores)
        .where(
            (ReviewAssignment.application._.round == round_id)
            & (ReviewAssignment.status == "submitted")
            & ReviewAssignment.application.is_in(list(by_id) or [0])
        )
        .output(load_json=True)
    )
    rules = RoundRules(
        criteria=criteria,
        method=round_row["aggregation_method"],
        tie_break=[c.code for c in criteria],
        min_reviews=round_row["reviews_per_application"],
    )
    submitted_at = {a: by_id[a]["submitted_at"] for a in {r["application"] for r in reviews}}
    return aggregate_round(rules, [Review(r["application"], r["expert"], r["scores"]) for r in reviews], submitted_at)


def fingerprint(result: Any) -> tuple[list[int], float | None, int]:
    return result.application_ids[result.order].tolist(), result.reliability.icc1, result.uncalibrated_reviews


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from app.db import close_pool, engine, open_pool
    from programmes.tables import Application
    from scoring.ranking import aggregate, rank_round
    from scoring.tables import RankingEntry

    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        fixtures = await load_fixtures(connection, args.applications, args.experts)
        round_id = fixtures["round_id"]
        print(f"loaded {fixtures['reviews']} reviews in {fixtures['load_seconds']:.1f} s", file=sys.stderr, flush=True)
        await open_pool(1, 4)
        try:

            async def ours() -> tuple[Any, dict[str, float]]:
                return (await aggregate(round_id))[0], {}

            async def before() -> tuple[Any, dict[str, float]]:
                return await piccolo_select(round_id), {}

            async def raw() -> tuple[Any, dict[str, float]]:
                return await baseline(connection, round_id)

            variants: dict[str, Callable[[], Awaitable[tuple[Any, dict[str, float]]]]] = {
                "piccolo": ours,
                "piccolo-select": before,
                "asyncpg": raw,
            }
            if args.applications > 32_766:
                del variants["piccolo-select"]  # its IN list would exceed asyncpg's 32,767 query arguments
            warm = {name: (await run())[0] for name, run in variants.items()}  # imports, first queries, plans
            same = {name: fingerprint(result) == fingerprint(warm["asyncpg"]) for name, result in warm.items()}
            runs: dict[str, list[float]] = {name: [] for name in variants}
            splits: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
            for _ in range(args.repeats):  # alternate, so that drift on the machine hits every variant
                for name, run in variants.items():
                    started = time.perf_counter()
                    _, split = await run()
                    runs[name].append(time.perf_counter() - started)
                    splits[name].append(split)
            measured: dict[str, Any] = {
                "reviews": fixtures["reviews"],
                "applications": args.applications,
                "experts": args.experts,
                "load_seconds": fixtures["load_seconds"],
                "variants": {
                    name: {
                        "runs": runs[name],
                        "same_ranking_as_baseline": same[name],
                        **{
                            f"{part}_seconds": statistics.median(s[part] for s in splits[name])
                            for part in splits[name][0]
                        },
                    }
                    for name in variants
                },
                "icc1": warm["piccolo"].reliability.icc1,
            }
            if not args.no_rank:
                async with engine().transaction() as transaction:
                    started = time.perf_counter()
                    await rank_round(round_id)
                    seconds = time.perf_counter() - started
                    # Piccolo queries run inside the open transaction: they see the uncommitted rows.
                    ranked = await Application.count().where(
                        (Application.round == round_id) & (Application.status == "ranked")
                    )
                    entries = await RankingEntry.count().where(RankingEntry.round == round_id)
                    audited = await connection.fetchval("SELECT count(*) FROM audit_entry")  # outside: sees none
                    await transaction.rollback()  # type: ignore[no-untyped-call]
                left = await connection.fetchval("SELECT count(*) FROM ranking_entry WHERE round = $1", round_id)
                measured["rank_round"] = {
                    "seconds": seconds,
                    "ranking_entries": entries,
                    "ranked": ranked,
                    "rolled_back": left == 0 and audited == 0,
                }
            return measured
        finally:
            await close_pool()
    finally:
        await connection.close()


def child(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(measure(args))))
    return 0


# --- orchestration (parent) --------------------------------------------------------------------------------------


async def admin_execute(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def run_in_database(args: argparse.Namespace) -> dict[str, Any]:
    admin = os.environ.get("SEEDBED_BENCH_POSTGRES", ADMIN_DSN)
    name = f"seedbed_bench_{os.getpid()}"
    env = {
        **os.environ,
        "SEEDBED_DATABASE_URL": with_database(admin, name),
        "PICCOLO_CONF": "app.piccolo_conf",
        "SEEDBED_LOG_LEVEL": "WARNING",
    }
    asyncio.run(admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "app.site.cli", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed: {migrated.stdout}{migrated.stderr}")
        argv = ["--child", "--applications", str(args.applications), "--experts", str(args.experts)]
        argv += ["--repeats", str(args.repeats)] + (["--no-rank"] if args.no_rank else [])
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_scoring_db", *argv],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return measured
    finally:
        asyncio.run(admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


VARIANTS: dict[str, tuple[float | None, str]] = {
    # variant: (target seconds, how)
    "piccolo": (TARGET_SECONDS, "scoring.ranking.aggregate: Piccolo queries, reviews as one json_agg (Table.raw)"),
    "piccolo-select": (None, "previous aggregate: Piccolo select, .output(load_json=True), IN list of ids"),
    "asyncpg": (None, "raw asyncpg on one connection, json.loads per row"),
}
BASELINE = "asyncpg"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_scoring_db", description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=20_000, help="applications in review (× 5 reviews)")
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each aggregate variant; median")
    parser.add_argument("--no-rank", action="store_true", help="skip the rank_round case (minutes)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    m = run_in_database(args)
    size = m["reviews"]
    common = {"size": size, "applications": m["applications"], "experts": m["experts"]}
    base = statistics.median(m["variants"][BASELINE]["runs"])
    entries: list[dict[str, Any]] = []
    for variant, measured in m["variants"].items():
        seconds = statistics.median(measured["runs"])
        target, how = VARIANTS[variant]
        entries.append(
            {
                "name": f"scoring_db/aggregate/{size}/{variant}",
                "seconds": round(seconds, 3),
                **common,
                "target_seconds": target,
                "solver": how,
                "ratio": round(base / seconds, 3),
                "baseline": f"scoring_db/aggregate/{size}/{BASELINE}",
                "runs": [round(s, 3) for s in sorted(measured["runs"])],
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in measured.items() if k != "runs"},
            }
        )
    entries[0]["icc1"] = round(m["icc1"], 4)
    if "rank_round" in m:
        r = m["rank_round"]
        name = f"scoring_db/close_round/{size}/rank_round"
        entries.append(
            {
                "name": name,
                "seconds": round(r["seconds"], 3),
                **common,
                "target_seconds": None,
                "solver": "scoring.ranking.rank_round in one transaction, rolled back",
                "ratio": 1.0,
                "baseline": name,
                **{k: v for k, v in r.items() if k != "seconds"},
            }
        )
    print(
        f"fixtures: {size} reviews, {m['applications']} applications, {m['experts']} experts;"
        f" loaded with COPY in {m['load_seconds']:.1f} s"
    )
    header = f"{'case':<42} {'seconds':>8} {'target':>7} {'ratio':>6}  how / notes"
    print(header)
    print("-" * len(header))
    failed = False
    hidden = {"name", "seconds", "target_seconds", "solver", "ratio", "baseline", *common}
    for entry in entries:
        target = entry["target_seconds"]
        missed = target is not None and entry["seconds"] > target
        failed |= missed or entry.get("same_ranking_as_baseline") is False or entry.get("rolled_back") is False
        notes = {k: v for k, v in entry.items() if k not in hidden}
        shown = f"<{target:g}" if target else ""
        print(
            f"{entry['name']:<42} {entry['seconds']:>8.3f} {shown:>7} {entry['ratio']:>6.2f}  {entry['solver']}"
            f"  {json.dumps(notes, ensure_ascii=False)}{'  MISSED TARGET' if missed else ''}"
        )
    print(f"\nratio = {BASELINE} seconds / seconds (times faster than the raw asyncpg baseline; below 1: slower)")
    if not args.no_record:
        record(entries, args.results)
        print(f"appended {len(entries)} entries to {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
