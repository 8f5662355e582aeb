"""Bulk-loaded applications for tests/perf/bench_admin_applications.py (asyncpg ``COPY``, a few seconds for
26,000 rows): 400 organisations over the 16 districts, a city-level contest round and two district rounds (浦东,
徐汇), each open with two tracks; statuses, screening results and applicants' districts spread over the rows, answers
of about 1 kB (submitted and current) and a screening result on each."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import asyncpg

from tests.perf.bench_scoring_db import T0, credit_code

ORGANISATIONS = 400
STATUSES = ("submitted", "in_review", "in_review", "in_review", "returned", "rejected", "withdrawn")
OUTCOMES = ("eligible", "eligible", "eligible", "ineligible", "overridden", "not_screened")
ANSWERS = json.dumps(
    {
        "summary": "面向社区独居老人的助餐与陪伴服务，" * 8,
        "beneficiaries": 320,
        "budget_fen": 15_000_000,
        "team": [{"name": f"成员{i}", "role": "项目执行"} for i in range(6)],
        "plan": ["需求调研", "志愿者招募与培训", "服务实施", "评估与总结"],
    },
    ensure_ascii=False,
)
SCREENED = json.dumps({"eligible": True, "findings": [], "rules_checked": 4}, ensure_ascii=False)


async def _round(connection: asyncpg.Connection, name: str, district: str | None) -> dict[str, Any]:
    """Programme → edition → form → open round → two tracks, all of ``district`` (None: city level)."""
    programme = await connection.fetchval(
        "INSERT INTO programme (name, kind, scope_district) VALUES ($1, 'contest', $2) RETURNING id", name, district
    )
    edition = await connection.fetchval(
        "INSERT INTO edition (programme, year, title, scope_district) VALUES ($1, 2026, $2, $3) RETURNING id",
        programme,
        f"2026 {name}",
        district,
    )
    form = await connection.fetchval(
        "INSERT INTO form_version (edition, title, json_schema, scope_district) VALUES ($1, '申报表', '{}', $2)"
        " RETURNING id",
        edition,
        district,
    )
    round_id = await connection.fetchval(
        "INSERT INTO round (edition, name, status, form, opens_at, closes_at, allow_multiple_entries, scope_district)"
        " VALUES ($1, '初赛', 'open', $2, $3, $4, true, $5) RETURNING id",
        edition,
        form,
        T0 - timedelta(days=30),
        T0 + timedelta(days=30),
        district,
    )
    tracks = [
        await connection.fetchval(
            "INSERT INTO track (round, name, position, scope_district) VALUES ($1, $2, $3, $4) RETURNING id",
            round_id,
            track,
            position,
            district,
        )
        for position, track in enumerate(("为老服务", "青少年成长"))
    ]
    return {"id": round_id, "form": form, "tracks": tracks, "district": district}


async def load_fixtures(connection: asyncpg.Connection, applications: int, per_district: int) -> dict[str, Any]:
    from app.reference import District

    started = time.perf_counter()
    districts = [d.value for d in District]
    await connection.copy_records_to_table(
        "organisation",
        columns=["name", "org_type", "credit_code", "district"],
        records=[
            (f"基准社会组织{i:04d}", "social_service_institution", credit_code(i), districts[i % len(districts)])
            for i in range(ORGANISATIONS)
        ],
    )
    organisations = [r["id"] for r in await connection.fetch("SELECT id FROM organisation ORDER BY id")]
    rounds = [
        (await _round(connection, "基准大赛（市级）", None), applications),
        (await _round(connection, "基准大赛（浦东）", "pudong"), per_district),
        (await _round(connection, "基准大赛（徐汇）", "xuhui"), per_district),
    ]
    columns = [
        "round",
        "track",
        "organisation",
        "entry_number",
        "title",
        "status",
        "answers",
        "form_version",
        "submitted_answers",
        "submitted_at",
        "eligibility",
        "eligibility_outcome",
        "organisation_district",
        "scope_district",
        "created_at",
        "updated_at",
    ]
    for round_row, count in rounds:
        records = []
        for i in range(count):
            submitted = T0 + timedelta(seconds=37 * i % 86_400)
            records.append(
                (
                    round_row["id"],
                    round_row["tracks"][i % 2],
                    organisations[i % ORGANISATIONS],
                    i // ORGANISATIONS + 1,
                    f"基准项目{i:05d}",
                    STATUSES[i % len(STATUSES)],
                    ANSWERS,
                    round_row["form"],
                    ANSWERS,
                    submitted,
                    SCREENED,
                    OUTCOMES[i % len(OUTCOMES)],
                    districts[i % ORGANISATIONS % len(districts)],
                    round_row["district"],
                    submitted,
                    submitted,
                )
            )
        await connection.copy_records_to_table("application", columns=columns, records=records)
    await connection.execute("ANALYZE")
    total = applications + 2 * per_district
    return {
        "city_round": rounds[0][0]["id"],
        "district_round": rounds[1][0]["id"],
        "applications": total,
        "load_seconds": round(time.perf_counter() - started, 2),
    }
