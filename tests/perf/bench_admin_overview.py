"""The officers' overview (/admin/overview): server time over 20,000 applications and 100,000 review assignments.

    .venv/bin/python -m tests.perf.bench_admin_overview [--applications 20000] [--repeats 5] [--no-record]

Same database set-up as tests/perf/bench_scoring_db.py (its own ``seedbed_bench_<pid>`` database, migrated, bulk
loaded with COPY by ``load_fixtures``, dropped at the end), plus a budget line and one review in seven still open
and overdue. Cases (one untimed warm-up each; ``--repeats`` alternating runs, the median counts):

- ``overview/city`` and ``overview/district``: ``app.admin.overview.sections.overview(principal)`` and the HTML
  with its pygal charts (``render.page``) — the server's whole work for ``GET /admin/overview`` but the session
  lookup — for a city officer and a 浦东 district officer. Target: < 1 s.
- ``overview/asyncpg``: the baseline — the page's four largest aggregates (applications per status × track ×
  district, review progress per round, money per fund source, ledger per recipient district) as raw SQL on one
  asyncpg connection, no rendering, unscoped (city-wide; the district page filters, so it may beat it).

``ratio`` = baseline seconds / these seconds (below 1: slower than the raw queries). Appended to
tests/perf/results.json. Never run as a timed test.
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
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from tests.perf.bench_scoring_db import ADMIN_DSN, ROOT, T0, admin_execute, load_fixtures, with_database
from tests.perf.bench_servers import RESULTS, record

TARGET_SECONDS = 1.0
BASELINE_SQL = (
    "SELECT a.status, t.name, a.organisation_district, count(*) FROM application a"
    " LEFT JOIN track t ON t.id = a.track GROUP BY 1, 2, 3",
    "SELECT a.round, count(*), count(*) FILTER (WHERE ra.status = 'submitted'),"
    " count(*) FILTER (WHERE ra.status <> 'submitted' AND ra.due_at < now())"
    " FROM review_assignment ra JOIN application a ON a.id = ra.application GROUP BY 1",
    "SELECT bl.fund_source, sum(bl.amount_fen), sum(l.amount_fen) FROM budget_line bl"
    " LEFT JOIN ledger_entry l ON l.budget_line = bl.id GROUP BY 1",
    "SELECT o.district, l.kind, sum(l.amount_fen) FROM ledger_entry l LEFT JOIN award aw ON aw.id = l.award"
    " LEFT JOIN organisation o ON o.id = aw.payee GROUP BY 1, 2",
)


async def extra_fixtures(connection: asyncpg.Connection) -> None:
    edition = await connection.fetchval("SELECT id FROM edition ORDER BY id LIMIT 1")
    source = await connection.fetchval(
        "INSERT INTO fund_source (name, kind) VALUES ('福彩公益金', 'welfare_lottery') RETURNING id"
    )
    await connection.execute(
        "INSERT INTO budget_line (edition, fund_source, amount_fen) VALUES ($1, $2, 500000000)", edition, source
    )
    await connection.execute(
        "UPDATE review_assignment SET status = 'assigned', submitted_at = NULL, due_at = $1 WHERE id % 7 = 0",
        T0 - timedelta(days=1),
    )
    await connection.execute("ANALYZE")


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from app.admin.overview.render import page
    from app.admin.overview.sections import overview
    from app.auth.principal import Principal
    from app.auth.tables import Role
    from app.db import close_pool, open_pool

    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        fixtures = await load_fixtures(connection, args.applications, 500)
        await extra_fixtures(connection)
        await open_pool(1, 4)
        try:
            city = Principal(0, "bench_city", Role.officer, None)
            district = Principal(0, "bench_pudong", Role.officer, "pudong")

            async def city_page() -> object:
                return page(city, await overview(city))

            async def district_page() -> object:
                return page(district, await overview(district))

            async def raw() -> object:
                return [await connection.fetch(sql) for sql in BASELINE_SQL]

            cases: dict[str, Callable[[], Awaitable[object]]] = {
                "city": city_page,
                "district": district_page,
                "asyncpg": raw,
            }
            runs: dict[str, list[float]] = {name: [] for name in cases}
            for run in cases.values():
                await run()  # warm-up
            for _ in range(args.repeats):
                for name, run in cases.items():
                    runs[name].append(await timed(run))
            html_bytes = len((await city_page()).encode())  # type: ignore[attr-defined]
        finally:
            await close_pool()
    finally:
        await connection.close()
    return {"applications": args.applications, "reviews": fixtures["reviews"], "runs": runs, "html_bytes": html_bytes}


def child(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(measure(args))))
    return 0


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
        argv = ["--child", "--applications", str(args.applications), "--repeats", str(args.repeats)]
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_admin_overview", *argv],
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
        prog="python -m tests.perf.bench_admin_overview", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    m = run_in_database(args)
    base = statistics.median(m["runs"]["asyncpg"])
    entries = []
    failed = False
    for case, runs in m["runs"].items():
        seconds = statistics.median(runs)
        target = None if case == "asyncpg" else TARGET_SECONDS
        failed |= target is not None and seconds > target
        entries.append(
            {
                "name": f"admin_overview/{m['applications']}/{case}",
                "seconds": round(seconds, 4),
                "size": m["applications"],
                "reviews": m["reviews"],
                "target_seconds": target,
                "ratio": round(base / seconds, 3),
                "baseline": f"admin_overview/{m['applications']}/asyncpg",
                "runs": [round(s, 4) for s in sorted(runs)],
            }
        )
    print(f"{m['applications']} applications, {m['reviews']} review assignments; page {m['html_bytes']} bytes")
    print(f"{'case':<36} {'seconds':>8} {'target':>7} {'ratio':>6}")
    for entry in entries:
        target = entry["target_seconds"]
        print(
            f"{entry['name']:<36} {entry['seconds']:>8.4f} {f'<{target:g}' if target else '':>7} {entry['ratio']:>6.2f}"
        )
    print("\nratio = asyncpg baseline seconds / seconds (below 1: slower than the raw aggregate queries)")
    if not args.no_record:
        record(entries, args.results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
