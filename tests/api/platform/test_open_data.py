"""一公开 open data (issue 15): every dataset as JSON and CSV, public, paged, cached (ETag / 304), rate-limited, and
free of personal data — every open-data response is scanned for the seeded phone numbers, ID card numbers, e-mail
addresses and contact names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.auth import rate_limit
from app.settings import get_settings
from app.site.asgi import create_app
from programmes.opendata.publishing import PERSONAL_PATTERNS, REDACTED, scrub
from programmes.opendata.schemas import OpenAward, OpenCall, OpenCase, OpenDisbursement, OpenInspection
from scoring.publication.open_results import OpenResult
from tests.factories.http import ok
from tests.factories.money import PAID
from tests.factories.open_data import CONTACT_NAME, EMAIL, ID_CARD, PHONE, open_world, personal_values
from tests.factories.world import World

pytestmark = pytest.mark.usefixtures("db")

MODELS = {
    "calls": OpenCall,
    "results": OpenResult,
    "awards": OpenAward,
    "disbursements": OpenDisbursement,
    "inspections": OpenInspection,
    "cases": OpenCase,
}


def open_paths() -> list[str]:
    document = create_app(with_admin=False, manage_pool=False).openapi_schema.to_schema()
    return sorted(path for path in document["paths"] if path.startswith("/open-data/"))


async def every_page(client: httpx.AsyncClient, path: str, limit: int = 2) -> AsyncIterator[httpx.Response]:
    """Every page of an open-data list, following ``Link rel=next``."""
    url: str | None = f"{path}?limit={limit}"
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, f"{url}: {response.text}"
        yield response
        link = response.headers.get("Link")
        url = re.search(r"<([^>]+)>", link).group(1) if link else None  # type: ignore[union-attr]


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_every_dataset_has_json_and_csv() -> None:
    assert open_paths() == sorted([f"/open-data/{name}" for name in MODELS] + [f"/open-data/{n}.csv" for n in MODELS])


async def test_no_open_data_response_contains_personal_data(client: httpx.AsyncClient, world: World) -> None:
    await open_world(client, world)
    personal = await personal_values()
    assert {PHONE, ID_CARD, EMAIL, CONTACT_NAME} <= personal and len(personal) > 20
    seen_rows: dict[str, int] = {}
    redacted = 0
    for path in open_paths():
        async for response in every_page(client, path):
            text = response.content.decode("utf-8")
            leaked = sorted(value for value in personal if value in text)
            assert not leaked, f"{path}: {leaked}"
            for pattern in PERSONAL_PATTERNS:
                assert not pattern.search(text), f"{path}: {pattern.pattern} matches"
            redacted += text.count(REDACTED)
            rows = csv_rows(response) if path.endswith(".csv") else response.json()
            seen_rows[path] = seen_rows.get(path, 0) + len(rows)
    # Every dataset had rows to scan, JSON and CSV alike, and the free text that quoted personal data was scrubbed.
    assert all(seen_rows[path] > 0 for path in open_paths()), seen_rows
    assert all(seen_rows[f"/open-data/{n}"] == seen_rows[f"/open-data/{n}.csv"] for n in MODELS), seen_rows
    assert redacted >= 2 * 2 * 4  # finding and case summary, JSON and CSV, four values each (at least)


async def test_datasets_hold_the_public_facts(client: httpx.AsyncClient, world: World) -> None:
    opened = await open_world(client, world)
    awards = ok(await client.get("/open-data/awards?limit=200"))
    assert {a["award_id"] for a in awards} >= {opened.paid.award_id, opened.paid.unpaid_award_id}
    assert all(a["prize"] is None and a["fund_source_kind"] == "fiscal" for a in awards)
    money = {d["award_id"]: d for d in ok(await client.get("/open-data/disbursements?limit=200"))}
    assert money[opened.paid.award_id]["disbursed_fen"] == PAID
    assert money[opened.paid.award_id]["obligated_fen"] == PAID
    assert money[opened.paid.unpaid_award_id]["disbursed_fen"] == 0
    results = ok(await client.get("/open-data/results"))
    assert sorted(r["application_id"] for r in results) == sorted(opened.notice.ranking[:2])
    assert {r["outcome"] for r in results} == {"advanced"}
    calls = ok(await client.get("/open-data/calls?limit=200"))
    assert world.round["id"] in {c["round_id"] for c in calls}
    assert all(c["status"] in ("open", "closed") for c in calls)
    inspections = ok(await client.get("/open-data/inspections"))
    [drawn] = [i for i in inspections if i["draw_id"] == opened.draw_id]
    assert drawn["seed"] and drawn["findings_recorded"] == 1 and drawn["finding"].startswith("资料齐全")
    assert "inspector" not in str(inspections)
    [case] = ok(await client.get("/open-data/cases"))
    assert case["case_id"] == opened.case_id and REDACTED in case["summary"]
    # CSV: the schema's fields, in order, as the header; the same rows as the JSON.
    for name, model in MODELS.items():
        response = await client.get(f"/open-data/{name}.csv?limit=200")
        header = response.content.decode("utf-8").removeprefix("\ufeff").splitlines()[0]
        assert header.split(",") == list(model.model_fields)
        assert len(csv_rows(response)) == len(ok(await client.get(f"/open-data/{name}?limit=200")))


async def test_results_wait_for_the_final_result(client: httpx.AsyncClient) -> None:
    from tests.factories.feedback import reviewed_notice

    await reviewed_notice(client)  # published, not finalised: may still change after an objection
    assert ok(await client.get("/open-data/results")) == []
    assert (await client.get("/open-data/results.csv")).content.decode("utf-8").removeprefix("\ufeff").count("\n") == 1


async def test_caching_headers_and_not_modified(client: httpx.AsyncClient, world: World) -> None:
    for path in ("/open-data/calls", "/open-data/calls.csv"):
        first = await client.get(path)
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=300"
        etag = first.headers["ETag"]
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
        assert (await client.get(path, headers={"If-None-Match": f'W/{etag}, "x"'})).status_code == 304
        assert (await client.get(path, headers={"If-None-Match": '"stale"'})).status_code == 200
    # Another page, another body, another tag; a change in the data changes the tag.
    whole = (await client.get("/open-data/calls")).headers["ETag"]
    assert (await client.get("/open-data/calls?limit=1")).headers["ETag"] != whole
    from tests import factories

    await factories.contest_round(world.city_officer)
    assert (await client.get("/open-data/calls")).headers["ETag"] != whole


async def test_paging_follows_the_list_convention(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/open-data/calls?limit=1")
    assert len(response.json()) == 1 and int(response.headers["X-Total-Count"]) >= 2
    assert response.headers["X-Has-More"] == "true" and 'rel="next"' in response.headers["Link"]
    assert (await client.get("/open-data/calls?limit=201")).status_code == 422
    assert (await client.get("/open-data/calls.csv?offset=-1")).status_code == 422
    drafts = ok(await client.get("/open-data/calls?limit=200"))
    assert all(c["status"] != "draft" for c in drafts)


@pytest.fixture
async def low_limit() -> AsyncIterator[None]:
    settings = get_settings()
    saved = settings.rate_limit_open_data_per_ip
    settings.rate_limit_open_data_per_ip = "3/minute"
    await rate_limit.reset()
    yield
    settings.rate_limit_open_data_per_ip = saved
    await rate_limit.reset()


async def test_open_data_is_rate_limited_per_address(client: httpx.AsyncClient, low_limit: None) -> None:
    for _ in range(3):
        assert (await client.get("/open-data/cases")).status_code == 200
    refused = await client.get("/open-data/awards.csv")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1


def test_scrub_replaces_phones_id_numbers_and_emails() -> None:
    text: Any = scrub(f"电话{PHONE}或 +86 139 1234 5678，身份证{ID_CARD}，{EMAIL}，2026 年服务 120 人")
    assert PHONE not in text and ID_CARD not in text and EMAIL not in text and "139 1234 5678" not in text
    assert text.count(REDACTED) == 4 and "2026 年服务 120 人" in text
