"""A matching session end to end through PostgreSQL: load the candidates, solve, write the preview.

    .venv/bin/python -m tests.perf.bench_matching_session [--demands 5000] [--offers 5000] [--no-record]

Creates its own database ``seedbed_bench_<pid>`` on the local PostgreSQL (``SEEDBED_BENCH_POSTGRES`` overrides the
admin DSN), migrates it with ``python -m app.site.cli migrate`` and drops it at the end, whatever happens. The child
bulk-loads with asyncpg ``COPY``: 1,600 organisations over the 16 districts, one community per district, 5,000
published demands (field skewed towards 城乡帮扶, 2 tags of the field's 10), 5,000 approved offers (field skewed
the other way, 3 tags of the field's 10, each serving its organisation's district, capacity 1–5), then ``ANALYZE``.
Demand and offer fields are skewed so that about 250,000 pairs fit (same district, same field or a shared tag);
the run prints the exact count.

Cases (one city-wide session, the preview written inside a transaction that is rolled back):

- ``session/5000x5000/load``: ``programmes.matching.candidates.load_problem`` — five queries and the score of
  every preselected pair (``programmes.matching.score``);
- ``session/5000x5000/solve``: ``programmes.matching.solver.solve`` on that problem;
- ``session/5000x5000/write``: ``sessions.write_preview`` (pairs and unmatched demands, two statements);
- ``session/5000x5000/total``: the three together. Target: < 5 s.
- baseline ``session/5000x5000/bare-pairs``: the same pair preselection as one raw asyncpg ``fetch`` (no scoring,
  no facts): how much of ``load`` the database itself takes.

Never a timed test: it prints, and appends ``{name, seconds, size, …}`` to tests/perf/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.perf.bench_servers import RESULTS, record

ROOT = Path(__file__).resolve().parents[2]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 5.0
ORGANISATIONS = 1_600
FIELDS = ("rural_urban", "governance", "livelihood", "culture_sports")
DEMAND_FIELD_WEIGHTS = (0.55, 0.15, 0.15, 0.15)
OFFER_FIELD_WEIGHTS = (0.10, 0.30, 0.30, 0.30)
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


def credit_code(i: int) -> str:
    from app.organisations.credit_code import check_character

    first17 = f"52310000{i:09d}"
    return first17 + check_character(first17)


def tags_of(rng: random.Random, field: str, k: int) -> list[str]:
    return [f"{field}_{t}" for t in rng.sample(range(10), k)]


async def load_fixtures(connection: asyncpg.Connection, demands: int, offers: int) -> dict[str, Any]:
    from app.reference import District

    started = time.perf_counter()
    rng = random.Random(13)
    districts = [d.value for d in District]
    await connection.copy_records_to_table(
        "organisation",
        columns=["name", "org_type", "credit_code", "district", "street"],
        records=[
            (f"基准社会组织{i:04d}", "social_service_institution", credit_code(i), districts[i % 16], f"街道{i % 7}")
            for i in range(ORGANISATIONS)
        ],
    )
    orgs = [(r["id"], r["district"]) for r in await connection.fetch("SELECT id, district FROM organisation")]
    await connection.copy_records_to_table(
        "community",
        columns=["name", "level", "district", "street", "scope_district", "created_at"],
        records=[(f"{d}街道办事处", "street", d, "街道0", d, T0) for d in districts],
    )
    communities = {r["district"]: r["id"] for r in await connection.fetch("SELECT id, district FROM community")}
    demand_rows = []
    for i in range(demands):
        district = districts[i % 16]
        field = rng.choices(FIELDS, DEMAND_FIELD_WEIGHTS)[0]
        demand_rows.append(
            (
                communities[district],
                field,
                tags_of(rng, field, 2),
                f"需求{i}",
                district,
                f"街道{i % 7}",
                T0.date(),
                (T0 + timedelta(days=90)).date(),
                rng.choice((1, 1, 1, 2)),
                False,
                "published",
                district,
                T0,
                T0,
            )
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
            "providers_wanted",
            "cross_district",
            "status",
            "scope_district",
            "created_at",
            "updated_at",
        ],
        records=demand_rows,
    )
    offer_rows = []
    for j in range(offers):
        org_id, district = orgs[j % len(orgs)]
        field = rng.choices(FIELDS, OFFER_FIELD_WEIGHTS)[0]
        offer_rows.append(
            (
                org_id,
                field,
                tags_of(rng, field, 3),
                f"服务{j}",
                False,
                [district],
                rng.randint(1, 5),
                "approved",
                district,
                T0,
                T0,
            )
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
            "status",
            "scope_district",
            "created_at",
            "updated_at",
        ],
        records=offer_rows,
    )
    await connection.execute("ANALYZE")
    return {"load_seconds": time.perf_counter() - started}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from app.db import close_pool, engine, open_pool
    from programmes.matching import candidates, solver
    from programmes.matching.sessions import write_preview
    from programmes.matching.tables import MatchingSession

    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        fixtures = await load_fixtures(connection, args.demands, args.offers)
        started = time.perf_counter()
        numbered = candidates._pair_sql().replace("{}", "$1", 1).replace("{}", "$2")
        bare = await connection.fetch(numbered, *candidates.pair_args(None)[:2])
        bare_seconds = time.perf_counter() - started
    finally:
        await connection.close()
    await open_pool(1, 4)
    try:
        rows = await MatchingSession.insert(
            MatchingSession(title="基准对接活动", status="open", rules={"unmatched_penalty": 10}, created_at=T0)
        ).returning(*MatchingSession.all_columns())
        session = dict(rows[0])
        session["rules"] = {"unmatched_penalty": 10}
        timings: dict[str, float] = {}
        started = time.perf_counter()
        loaded = await candidates.load_problem(session)
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        solution = solver.solve(loaded.problem)
        timings["solve"] = time.perf_counter() - started
        try:
            async with engine().transaction():
                started = time.perf_counter()
                await write_preview(session["id"], solution)
                timings["write"] = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    finally:
        await close_pool()
    return {
        **fixtures,
        **timings,
        "total": timings["load"] + timings["solve"] + timings["write"],
        "bare_pairs": bare_seconds,
        "pairs_preselected": len(bare),
        "candidates": len(loaded.problem.candidates),
        "matched_pairs": len(solution.pairs),
        "unmatched": len(solution.unmatched),
        "optimal": solution.optimal,
        "objective": solution.objective,
    }


class _Rollback(Exception):
    """Leaves the benchmark database as it was loaded."""


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
        argv = ["--child", "--demands", str(args.demands), "--offers", str(args.offers)]
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_matching_session", *argv],
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
        prog="python -m tests.perf.bench_matching_session", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--demands", type=int, default=5_000)
    parser.add_argument("--offers", type=int, default=5_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(measure(args))))
        return 0
    measured = run_in_database(args)
    size = f"{args.demands}x{args.offers}"
    print(
        f"fixtures loaded in {measured['load_seconds']:.1f} s; {measured['pairs_preselected']} pairs preselected, "
        f"{measured['candidates']} candidates, {measured['matched_pairs']} pairs matched, "
        f"{measured['unmatched']} demands unmatched, optimal={measured['optimal']}"
    )
    entries = []
    for case in ("load", "solve", "write", "total"):
        seconds = measured[case]
        target = (
            f" (target < {TARGET_SECONDS:.0f} s: {'ok' if seconds < TARGET_SECONDS else 'MISSED'})"
            if case == "total"
            else ""
        )
        ratio = f"; ratio bare-pairs/load {measured['bare_pairs'] / seconds:.2f}" if case == "load" else ""
        print(f"session/{size}/{case}: {seconds:.3f} s{ratio}{target}")
        entries.append(
            {
                "name": f"session/{size}/{case}",
                "seconds": round(seconds, 4),
                "size": size,
                "recorded_at": datetime.now(UTC).isoformat(),
            }
        )
    print(f"session/{size}/bare-pairs (baseline: the preselection alone, raw asyncpg): {measured['bare_pairs']:.3f} s")
    entries.append(
        {
            "name": f"session/{size}/bare-pairs",
            "seconds": round(measured["bare_pairs"], 4),
            "size": size,
            "recorded_at": datetime.now(UTC).isoformat(),
        }
    )
    if not args.no_record:
        record(entries, args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
