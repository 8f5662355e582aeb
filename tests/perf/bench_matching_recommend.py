"""Recommendations for one demand among 20,000 approved offers, through PostgreSQL.

    .venv/bin/python -m tests.perf.bench_matching_recommend [--offers 20000] [--demands 40] [--repeats 3]

Creates its own database ``seedbed_bench_<pid>`` on the local PostgreSQL (``SEEDBED_BENCH_POSTGRES`` overrides the
admin DSN, as in bench_scoring_db), migrates it (``python -m app.site.cli migrate``), and drops it at the end. The
child bulk-loads with ``COPY``: 2,000 organisations over every district (about three in seven graded),
``--offers`` approved offers (four fields, 1–3 of 12 tags, one to three districts served or city-wide, capacity
1–5, free or priced), ``--demands`` published demands and 5,000 orders (accepted or evaluated, so capacity and
track records are real), then ``ANALYZE``.

Cases, per demand (after one warm-up of each; ``--repeats`` passes over every demand, the median counts):

- ``recommend``: ``programmes.matching.recommend.rank(demand, 10)`` — the SQL preselection (partial index on approved
  offers by field, GIN on tags), one track-record query, the pure score of every candidate, the top 10. Target
  < 50 ms.
- ``plain-select``: the baseline — the same candidate set fetched by a plain asyncpg ``SELECT`` with the same WHERE
  clause (no ordering, no capacity count, no scoring).

``ratio`` = baseline seconds / recommend seconds (below 1: slower than the plain select). Results are appended to
tests/perf/results.json. A benchmark, never a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from tests.perf.bench_scoring_db import ADMIN_DSN, ROOT, admin_execute, credit_code, with_database
from tests.perf.bench_servers import RESULTS, record

TARGET_SECONDS = 0.050
ORGANISATIONS = 2_000
ORDERS = 5_000
FIELDS = ["rural_urban", "governance", "livelihood", "culture_sports"]
TAGS = ["elderly", "children", "disabled", "digital", "health", "culture", "sports", "volunteer", "law",
        "environment", "community_org", "rural"]  # fmt: skip
T0 = datetime(2026, 11, 1, tzinfo=UTC)

PLAIN_SELECT = """
SELECT s.* FROM service_offer s JOIN organisation o ON o.id = s.organisation
 WHERE s.status = 'approved' AND (s.field = $1 OR s.tags && $2::varchar[])
   AND (s.city_wide OR $3 = ANY(s.districts_served)) AND (o.district = $3 OR $4)
"""


async def load_fixtures(connection: asyncpg.Connection, offers: int, demands: int) -> dict[str, Any]:
    from app.reference import District

    started = time.perf_counter()
    rng = random.Random(13)
    districts = [d.value for d in District]
    grades = [None] * 4 + ["3A", "4A", "5A"]
    await connection.copy_records_to_table(
        "organisation",
        columns=["name", "org_type", "credit_code", "district", "street", "evaluation_grade"],
        records=[
            (
                f"基准社会组织{i:05d}",
                "social_service_institution",
                credit_code(i),
                districts[i % len(districts)],
                f"街道{i % 7}",
                rng.choice(grades),
            )
            for i in range(ORGANISATIONS)
        ],
    )
    orgs = [(r["id"], r["district"]) for r in await connection.fetch("SELECT id, district FROM organisation")]
    offer_rows = []
    for i in range(offers):
        org_id, district = orgs[i % len(orgs)]
        city_wide = rng.random() < 0.05
        served = [] if city_wide else sorted({district, *rng.sample(districts, rng.randint(0, 2))})
        priced = rng.random() < 0.5
        low = rng.randint(1, 50) * 10_000 if priced else None
        offer_rows.append(
            (
                org_id,
                rng.choice(FIELDS),
                rng.sample(TAGS, rng.randint(1, 3)),
                f"基准服务{i:05d}",
                city_wide,
                served,
                rng.randint(1, 5),
                low,
                low * 2 if low else None,
                "approved",
                district,
                T0,
                T0,
                T0,
            )  # fmt: skip
        )
    await connection.copy_records_to_table(
        "service_offer",
        columns=[
            "organisation",
            "field",
            "tags",
            "title",
            "city_wide",
            "districts_served",
            "capacity",
            "price_min_fen",
            "price_max_fen",
            "status",
            "scope_district",
            "approved_at",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        records=offer_rows,
    )
    community = await connection.fetchval(
        "INSERT INTO community (name, level, district, street, scope_district, created_at)"
        " VALUES ('基准街道', 'street', 'changning', '街道1', 'changning', now()) RETURNING id"
    )
    demand_rows = []
    for i in range(max(demands, 200)):
        district = districts[i % len(districts)]
        budget = rng.randint(5, 60) * 10_000 if i % 2 else None
        demand_rows.append(
            (
                community,
                rng.choice(FIELDS),
                rng.sample(TAGS, rng.randint(1, 3)),
                f"基准需求{i:04d}",
                district,
                f"街道{i % 7}",
                date(2026, 11, 1),
                date(2026, 12, 31),
                budget,
                budget * 2 if budget else None,
                i % 3 == 0,
                "published",
                district,
                T0,
                T0,
            )  # fmt: skip
        )
    await connection.copy_records_to_table(
        "demand",
        columns=[
            "community",
            "field",
            "tags",
            "title",
            "district",
            "street",
            "period_start",
            "period_end",
            "budget_min_fen",
            "budget_max_fen",
            "cross_district",
            "status",
            "scope_district",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        records=demand_rows,
    )
    demand_ids = [r["id"] for r in await connection.fetch("SELECT id FROM demand ORDER BY id")]
    offer_orgs = await connection.fetch("SELECT id, organisation FROM service_offer")
    pairs = {(rng.choice(demand_ids), rng.randrange(len(offer_orgs))) for _ in range(ORDERS)}
    await connection.copy_records_to_table(
        "match_order",
        columns=["demand", "offer", "organisation", "status", "delivered_at", "created_at"],
        records=[
            (
                d,
                offer_orgs[o]["id"],
                offer_orgs[o]["organisation"],
                "accepted" if o % 2 else "evaluated",
                None if o % 2 else T0 + timedelta(days=20),
                T0,
            )  # fmt: skip
            for d, o in pairs
        ],
    )
    await connection.execute(
        'INSERT INTO order_evaluation ("order", overall, ratings, created_at)'
        " SELECT id, 3 + id % 3, '{}', now() FROM match_order WHERE status = 'evaluated'"
    )
    await connection.execute("ANALYZE")
    return {"demand_ids": demand_ids[:demands], "load_seconds": time.perf_counter() - started}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from app.db import close_pool, open_pool
    from programmes.matching.recommend import rank
    from programmes.matching.tables import Demand

    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        fixtures = await load_fixtures(connection, args.offers, args.demands)
        print(f"loaded {args.offers} offers in {fixtures['load_seconds']:.1f} s", file=sys.stderr, flush=True)
        await open_pool(1, 4)
        try:
            demands = [
                dict(row)
                for row in await Demand.select().where(Demand.id.is_in(fixtures["demand_ids"])).order_by(Demand.id)
            ]

            async def ours(demand: dict[str, Any]) -> int:
                return len(await rank(demand, 10))

            async def plain(demand: dict[str, Any]) -> int:
                args_ = (demand["field"], demand["tags"], demand["district"], demand["cross_district"])
                return len(await connection.fetch(PLAIN_SELECT, *args_))

            candidates = [await plain(d) for d in demands]  # warm-up, and the candidate set sizes
            for demand in demands:
                await ours(demand)
            runs: dict[str, list[float]] = {"recommend": [], "plain-select": []}
            for _ in range(args.repeats):
                for demand in demands:  # alternate, so that drift on the machine hits both
                    for name, run in (("recommend", ours), ("plain-select", plain)):
                        started = time.perf_counter()
                        await run(demand)
                        runs[name].append(time.perf_counter() - started)
            return {
                "offers": args.offers,
                "demands": len(demands),
                "candidates_median": statistics.median(candidates),
                "candidates_max": max(candidates),
                "runs": runs,
            }
        finally:
            await close_pool()
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
        argv = ["--child", "--offers", str(args.offers), "--demands", str(args.demands), "--repeats", str(args.repeats)]
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_matching_recommend", *argv],
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf.bench_matching_recommend", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--demands", type=int, default=40, help="demands measured (each one recommendation)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(measure(args))))
        return 0
    m = run_in_database(args)
    base = statistics.median(m["runs"]["plain-select"])
    ours = statistics.median(m["runs"]["recommend"])
    p95 = sorted(m["runs"]["recommend"])[int(0.95 * (len(m["runs"]["recommend"]) - 1))]
    common = {"size": m["offers"], "demands": m["demands"], "candidates_median": m["candidates_median"],
              "candidates_max": m["candidates_max"]}  # fmt: skip
    entries = [
        {"name": f"matching/recommend/{m['offers']}/recommend", "seconds": round(ours, 4), **common,
         "target_seconds": TARGET_SECONDS, "p95_seconds": round(p95, 4), "ratio": round(base / ours, 3),
         "baseline": f"matching/recommend/{m['offers']}/plain-select"},
        {"name": f"matching/recommend/{m['offers']}/plain-select", "seconds": round(base, 4), **common,
         "target_seconds": None, "ratio": 1.0, "baseline": f"matching/recommend/{m['offers']}/plain-select"},
    ]  # fmt: skip
    print(
        f"fixtures: {m['offers']} approved offers, {ORGANISATIONS} organisations, {ORDERS} orders;"
        f" candidates per demand: median {m['candidates_median']}, max {m['candidates_max']}"
    )
    print(f"{'case':<44} {'median s':>9} {'target':>7} {'ratio':>6}")
    for entry in entries:
        target = entry["target_seconds"]
        print(
            f"{entry['name']:<44} {entry['seconds']:>9.4f} {f'<{target:g}' if target else '':>7} {entry['ratio']:>6.2f}"
        )
    print(f"recommend p95: {p95 * 1000:.1f} ms; ratio = plain-select seconds / recommend seconds")
    if not args.no_record:
        record(entries, args.results)
        print(f"appended {len(entries)} entries to {args.results}")
    return 1 if ours > TARGET_SECONDS else 0


if __name__ == "__main__":
    raise SystemExit(main())
