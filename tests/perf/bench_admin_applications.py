"""The officers' application lists over 20,000 applications: Piccolo Admin's list view and a round's screening page.

    .venv/bin/python -m tests.perf.bench_admin_applications [--applications 20000] [--district-applications 3000]
        [--repeats 5] [--no-record]

Same database set-up as tests/perf/bench_scoring_db.py (its own ``seedbed_bench_<pid>`` database, migrated, dropped
at the end, the measuring in a child process). Fixtures (tests/perf/application_fixtures.py, asyncpg ``COPY``): 400
organisations over the 16 districts; a city-level contest round (初赛) of ``--applications`` entries in two tracks,
and one district-level round each for 浦东 and 徐汇 of ``--district-applications`` entries.
A city officer and a 浦东 district officer log in to the admin (``create_account``, then Piccolo Admin's login form)
and every request goes through the real ASGI app with its session cookie (httpx ``ASGITransport``: in process, so
the time is the server's plus a little client work). Cases (one untimed warm-up each; ``--repeats`` alternating
runs, the median counts):

- ``table/city`` and ``table/district``: what Piccolo Admin's list view asks for on 「申报」 filtered by status
  (待评审) and the applicant's district (浦东), first page ordered by id as the UI sends it: ``GET
  /admin/api/tables/application/count/?…`` then ``GET /admin/api/tables/application/?__readable=true&…
  &__page_size=15&__page=1&__order=id``. The district officer's requests also pass the scope wrapper, which adds
  ``scope_district=pudong``.
- ``table/asyncpg``: the baseline — the same page (``application.*``, the same filter, order and limit) and its
  count as raw SQL on one asyncpg connection.
- ``screening/city`` (the 20,000-entry city round) and ``screening/district`` (浦东's round): ``GET
  /admin/rounds/{id}/screening?status=in_review&district=pudong`` — the whole HTML page, 50 rows.
- ``screening/asyncpg``: the baseline — the screening page's one query (its columns with the organisation and track
  names joined, 50 rows) and its count as raw SQL.

Target: every admin case < 1 s. ``ratio`` = baseline seconds / these seconds (below 1: slower than the raw query).
Also checked, outside the timing: each page returns the rows the raw query returns (same ids), and the SQL a list
request sends does not grow with the page size (no query per row: the statements of a 15- and a 100-row table page
and of a 50- and a 200-row screening page are counted; the benchmark fails if they differ). Appended to
tests/perf/results.json. Never run as a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from tests.perf.application_fixtures import load_fixtures
from tests.perf.bench_scoring_db import ADMIN_DSN, ROOT, admin_execute, with_database
from tests.perf.bench_servers import RESULTS, record

TARGET_SECONDS = 1.0
PASSWORD = "bench-password-123"
TABLE_FILTER = {"status": "in_review", "organisation_district": "pudong"}
TABLE_PAGE_SIZE = 15  # Piccolo Admin 1.14's default rows per page
SCREENING_FILTER = {"status": "in_review", "district": "pudong"}
SCREENING_ROWS = 50  # app.paging.DEFAULT_LIMIT
_EXECUTE = "_execute"  # asyncpg's private method every fetch/execute with arguments goes through (counted)

TABLE_SQL = (
    "SELECT a.* FROM application a WHERE a.status = $1 AND a.organisation_district = $2{scope}"
    " ORDER BY a.id LIMIT {limit}"
)
TABLE_COUNT_SQL = "SELECT count(*) FROM application a WHERE a.status = $1 AND a.organisation_district = $2{scope}"
SCREENING_SQL = (
    "SELECT a.id, a.title, o.name AS organisation_name, a.organisation_district, t.name AS track_name, a.status,"
    " a.eligibility_outcome, a.submitted_at FROM application a"
    " LEFT JOIN organisation o ON o.id = a.organisation LEFT JOIN track t ON t.id = a.track"
    " WHERE a.round = $1 AND a.status <> 'draft' AND a.status = $2 AND a.organisation_district = $3"
    " ORDER BY a.id LIMIT $4"
)
SCREENING_COUNT_SQL = (
    "SELECT count(*) FROM application a"
    " WHERE a.round = $1 AND a.status <> 'draft' AND a.status = $2 AND a.organisation_district = $3"
)


async def admin_session(app: Any, role: Any, district: Any, username: str) -> Any:
    """An httpx client logged in to the admin as a new account (the way tests/factories/admin.py logs in)."""
    import httpx

    from app.auth.service import create_account

    await create_account(username=username, password=PASSWORD, role=role, district=district)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    await http.get("/admin/")
    csrf = {"X-CSRFToken": http.cookies.get("csrftoken") or ""}
    login = await http.post("/admin/public/login/", json={"username": username, "password": PASSWORD}, headers=csrf)
    if login.status_code != 200:
        raise RuntimeError(f"admin login failed: {login.status_code} {login.text[:200]}")
    return http


def table_params(page_size: int = TABLE_PAGE_SIZE) -> dict[str, str]:
    return {**TABLE_FILTER, "__order": "id", "__page_size": str(page_size), "__page": "1"}


async def table_view(http: Any, page_size: int = TABLE_PAGE_SIZE) -> list[int]:
    """The list view's two requests (count, then the page), as Piccolo Admin's UI sends them."""
    count = await http.get("/admin/api/tables/application/count/", params=TABLE_FILTER)
    rows = await http.get("/admin/api/tables/application/", params={"__readable": "true", **table_params(page_size)})
    if count.status_code != 200 or rows.status_code != 200:
        raise RuntimeError(f"application list: {count.status_code} {rows.status_code} {rows.text[:200]}")
    return [int(r["id"]) for r in rows.json()["rows"]]


async def screening_view(http: Any, round_id: int, limit: int = SCREENING_ROWS) -> list[int]:
    response = await http.get(f"/admin/rounds/{round_id}/screening", params={**SCREENING_FILTER, "limit": str(limit)})
    if response.status_code != 200:
        raise RuntimeError(f"screening page: {response.status_code} {response.text[:200]}")
    return [int(i) for i in re.findall(r'name="ids" value="([0-9]+)"', response.text)]


async def raw_table(connection: asyncpg.Connection, district: str | None, limit: int = TABLE_PAGE_SIZE) -> list[int]:
    scope = " AND a.scope_district = $3" if district else ""
    args = [*TABLE_FILTER.values(), *([district] if district else [])]
    rows = await connection.fetch(TABLE_SQL.format(scope=scope, limit=limit), *args)
    await connection.fetchval(TABLE_COUNT_SQL.format(scope=scope), *args)
    return [int(r["id"]) for r in rows]


async def raw_screening(connection: asyncpg.Connection, round_id: int) -> list[int]:
    args = (round_id, *SCREENING_FILTER.values())
    rows = await connection.fetch(SCREENING_SQL, *args, SCREENING_ROWS)
    await connection.fetchval(SCREENING_COUNT_SQL, *args)
    return [int(r["id"]) for r in rows]


async def statements_of(run: Callable[[], Awaitable[object]]) -> int:
    """How many SQL statements ``run`` sends: every asyncpg connection's ``_execute`` (the path ``fetch``,
    ``fetchrow`` and ``execute`` with arguments take, which Piccolo uses) is counted while it runs."""
    counted = 0
    connection_class = asyncpg.connection.Connection
    original = getattr(connection_class, _EXECUTE)

    async def counting(self: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
        nonlocal counted
        counted += 1
        return await original(self, *args, **kwargs)

    setattr(connection_class, _EXECUTE, counting)
    try:
        await run()
    finally:
        setattr(connection_class, _EXECUTE, original)
    return counted


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from app.auth.tables import Role
    from app.db import close_pool, open_pool
    from app.reference import District
    from app.site.asgi import create_app

    connection = await asyncpg.connect(os.environ["SEEDBED_DATABASE_URL"])
    try:
        fixtures = await load_fixtures(connection, args.applications, args.district_applications)
        await open_pool(1, 4)
        try:
            app = create_app(manage_pool=False)
            city = await admin_session(app, Role.officer, None, "bench_city")
            district = await admin_session(app, Role.officer, District.pudong, "bench_pudong")
            city_round, district_round = fixtures["city_round"], fixtures["district_round"]
            cases: dict[str, dict[str, Callable[[], Awaitable[list[int]]]]] = {
                "table": {
                    "city": lambda: table_view(city),
                    "district": lambda: table_view(district),
                    "asyncpg": lambda: raw_table(connection, None),
                },
                "screening": {
                    "city": lambda: screening_view(city, city_round),
                    "district": lambda: screening_view(district, district_round),
                    "asyncpg": lambda: raw_screening(connection, city_round),
                },
            }
            same = {
                "table/city": await table_view(city) == await raw_table(connection, None),
                "table/district": await table_view(district) == await raw_table(connection, "pudong"),
                "screening/city": await screening_view(city, city_round) == await raw_screening(connection, city_round),
                "screening/district": await screening_view(district, district_round)
                == await raw_screening(connection, district_round),
            }
            statements = {
                **{
                    f"table/{size}_rows": await statements_of(lambda size=size: table_view(city, size))  # type: ignore[misc]
                    for size in (TABLE_PAGE_SIZE, 100)
                },
                **{
                    f"screening/{size}_rows": await statements_of(
                        lambda size=size: screening_view(city, city_round, size)  # type: ignore[misc]
                    )
                    for size in (SCREENING_ROWS, 200)
                },
            }
            runs: dict[str, list[float]] = {}
            for group, variants in cases.items():
                for name, run in variants.items():
                    await run()  # warm-up
                    runs[f"{group}/{name}"] = []
            for _ in range(args.repeats):
                for group, variants in cases.items():
                    for name, run in variants.items():
                        runs[f"{group}/{name}"].append(await timed(run))
            await city.aclose()
            await district.aclose()
        finally:
            await close_pool()
    finally:
        await connection.close()
    return {**fixtures, "runs": runs, "same_rows": same, "statements": statements}


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
        argv = [
            "--child",
            "--applications",
            str(args.applications),
            "--district-applications",
            str(args.district_applications),
            "--repeats",
            str(args.repeats),
        ]
        done = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_admin_applications", *argv],
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
        prog="python -m tests.perf.bench_admin_applications", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--applications", type=int, default=20_000, help="entries of the city round")
    parser.add_argument("--district-applications", type=int, default=3_000, help="entries of each district round")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    m = run_in_database(args)
    size = m["applications"]
    entries = []
    statements = m["statements"]
    per_row = {
        "table": statements[f"table/{TABLE_PAGE_SIZE}_rows"] != statements["table/100_rows"],
        "screening": statements[f"screening/{SCREENING_ROWS}_rows"] != statements["screening/200_rows"],
    }
    failed = not all(m["same_rows"].values()) or any(per_row.values())
    for case, runs in m["runs"].items():
        group, variant = case.split("/")
        base = statistics.median(m["runs"][f"{group}/asyncpg"])
        seconds = statistics.median(runs)
        target = None if variant == "asyncpg" else TARGET_SECONDS
        failed |= target is not None and seconds > target
        entries.append(
            {
                "name": f"admin_applications/{size}/{case}",
                "seconds": round(seconds, 4),
                "size": size,
                "target_seconds": target,
                "ratio": round(base / seconds, 3),
                "baseline": f"admin_applications/{size}/{group}/asyncpg",
                "runs": [round(s, 4) for s in sorted(runs)],
            }
        )
    print(f"{size} applications ({m['applications'] - 2 * args.district_applications} in the city round), loaded in")
    print(f"{m['load_seconds']} s; same rows as the raw query: {m['same_rows']}; statements: {m['statements']}")
    print(f"{'case':<44} {'ms':>8} {'target':>7} {'ratio':>6}")
    for entry in entries:
        target = entry["target_seconds"]
        print(
            f"{entry['name']:<44} {entry['seconds'] * 1000:>8.1f} {f'<{target:g}s' if target else '':>7}"
            f" {entry['ratio']:>6.2f}"
        )
    print("\nratio = asyncpg baseline seconds / seconds (below 1: slower than the raw query)")
    if not args.no_record:
        record(entries, args.results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
