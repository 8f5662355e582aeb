"""Money exports through ExportJob and the real worker: the fund summary and a batch's payments, opened with
openpyxl and checked to the fen; district scope on requests, progress and downloads."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import httpx
from openpyxl import load_workbook

from app.organisations.tables import Organisation
from programmes.awards.changes import reduce_award
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.exports.tables import ExportJob
from tests import factories
from tests.factories.money_world import city_award, pudong_award
from tests.factories.worker import run_worker_burst
from tests.factories.world import World, row_counts

MEASURE_HEADERS = [
    *(f"{m}（元）" for m in ("预算", "已承诺", "已拨付", "已退回", "可用余额")),
    *(f"{m}（分）" for m in ("预算", "已承诺", "已拨付", "已退回", "可用余额")),
]
CITY = [1_000_000, 400_000, 400_000, 0, 600_000]  # 市级财政资金: paid in full
PUDONG = [500_000, 150_000, 0, 0, 350_000]  # 浦东福彩公益金: 200,000 awarded, reduced to 150,000 (a reversal)
TOTAL = [a + b for a, b in zip(CITY, PUDONG, strict=True)]


def amounts(fen: list[int]) -> list[Any]:
    return [f / 100 for f in fen] + fen


async def small_world(world: World) -> dict[str, Any]:
    city = await city_award(world, 400_000)
    pudong = await pudong_award(world, 200_000)
    await reduce_award(world.pudong_officer.principal, pudong["id"], 150_000, "预算调整")
    paid = await create_batch(
        world.city_officer.principal, BatchCreate(title="市级拨付", tranche_ids=[city["tranches"][0]["id"]])
    )
    await approve_batch(await factories.second_officer(world.city_officer.principal), paid.id)
    await run_worker_burst()
    draft = await create_batch(
        world.pudong_officer.principal, BatchCreate(title="浦东拨付", tranche_ids=[pudong["tranches"][0]["id"]])
    )
    return {"city": city, "pudong": pudong, "city_batch": paid.id, "pudong_batch": draft.id}


async def produced(client: httpx.AsyncClient, job: dict[str, Any], headers: dict[str, str]) -> Any:
    await run_worker_burst()
    progress = await client.get(f"/exports/{job['id']}", headers=headers)
    assert progress.status_code == 200 and progress.json()["state"] == "done", progress.text
    download = await client.get(f"/exports/{job['id']}/file", headers=headers)
    assert download.status_code == 200, download.text
    return load_workbook(io.BytesIO(download.content))


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_money_summary_by_fund_source_district_and_programme(client: httpx.AsyncClient, world: World) -> None:
    await small_world(world)
    response = await client.post("/exports/money-summary", headers=world.city_officer.headers)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "money_summary" and job["round_id"] is None and job["state"] == "queued"

    book = await produced(client, job, world.city_officer.headers)
    assert book.sheetnames == ["按资金来源", "按区", "按项目"]
    assert values(book["按资金来源"]) == [
        ["资金来源", "类型", *MEASURE_HEADERS],
        ["市级财政资金", "财政资金", *amounts(CITY)],
        ["浦东福彩公益金", "福利彩票公益金", *amounts(PUDONG)],
        ["合计", None, *amounts(TOTAL)],
    ]
    assert values(book["按区"]) == [
        ["区", *MEASURE_HEADERS],
        ["市级", *amounts(CITY)],
        ["浦东新区", *amounts(PUDONG)],
        ["合计", *amounts(TOTAL)],
    ]
    assert values(book["按项目"]) == [
        ["项目", "届次", *MEASURE_HEADERS],
        ["公益创新创业大赛", "2026", *amounts(CITY)],
        ["公益创新创业大赛", "2026", *amounts(PUDONG)],
        ["合计", None, *amounts(TOTAL)],
    ]
    assert book["按区"]["B2"].number_format == "#,##0.00"
    assert (await ExportJob.select(ExportJob.scope_district).where(ExportJob.id == job["id"]).first()) == {
        "scope_district": None
    }
    # A city-wide summary is not a district officer's to read.
    assert (await client.get(f"/exports/{job['id']}", headers=world.pudong_officer.headers)).status_code == 404
    assert (await client.get(f"/exports/{job['id']}/file", headers=world.pudong_officer.headers)).status_code == 404


async def test_a_district_officer_sees_only_their_district(client: httpx.AsyncClient, world: World) -> None:
    await small_world(world)
    response = await client.post("/exports/money-summary", headers=world.pudong_officer.headers)
    assert response.status_code == 202, response.text
    job = response.json()
    book = await produced(client, job, world.pudong_officer.headers)
    assert values(book["按资金来源"])[1:] == [
        ["浦东福彩公益金", "福利彩票公益金", *amounts(PUDONG)],
        ["合计", None, *amounts(PUDONG)],
    ]
    assert values(book["按区"])[1:] == [["浦东新区", *amounts(PUDONG)], ["合计", *amounts(PUDONG)]]
    assert [row[0] for row in values(book["按项目"])[1:]] == ["公益创新创业大赛", "合计"]
    # City staff may read it; another district's officer may not; applicants never.
    assert (await client.get(f"/exports/{job['id']}", headers=world.city_officer.headers)).status_code == 200
    assert (await client.get(f"/exports/{job['id']}", headers=world.changning_officer.headers)).status_code == 404
    assert (await client.post("/exports/money-summary", headers=world.applicant.headers)).status_code == 403


async def test_batch_payments_one_row_per_item_with_masked_accounts(client: httpx.AsyncClient, world: World) -> None:
    slice_ = await small_world(world)
    org = await Organisation.select(Organisation.name).where(Organisation.id == world.other_org_id).first()
    assert org is not None
    last4 = f"{world.other_org_id:012d}"[-4:]

    response = await client.post(f"/payment-batches/{slice_['city_batch']}/exports", headers=world.city_officer.headers)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["parameters"] == {"payment_batch_id": slice_["city_batch"]}
    sheet = (await produced(client, job, world.city_officer.headers)).active
    [header, row] = values(sheet)
    assert header[:8] == [
        "款项编号",
        "期次",
        "资助编号",
        "申报单位",
        "收款单位",
        "收款户名",
        "开户行",
        "收款账号（后四位）",
    ]
    tranche = slice_["city"]["tranches"][0]
    assert row[:11] == [
        tranche["id"],
        1,
        slice_["city"]["id"],
        org["name"],
        org["name"],
        org["name"],
        "上海银行测试支行",
        f"****{last4}",
        4000,
        400_000,
        "已支付",
    ]
    assert row[11].startswith("SIM-") and row[12] is None
    download = await client.get(f"/exports/{job['id']}/file", headers=world.city_officer.headers)
    assert download.headers["content-disposition"].endswith(quote(f"批次支付明细-{job['id']}.xlsx", safe=""))

    pending = await client.post(
        f"/payment-batches/{slice_['pudong_batch']}/exports", headers=world.pudong_officer.headers
    )
    assert pending.status_code == 202
    [_, item] = values((await produced(client, pending.json(), world.pudong_officer.headers)).active)
    assert item[7:13] == [f"****{last4}", 1500, 150_000, "待支付", None, None]  # not paid yet: current account


async def test_batches_outside_scope_are_not_found(client: httpx.AsyncClient, world: World) -> None:
    slice_ = await small_world(world)
    before = await row_counts()
    for batch_id, user in (
        (slice_["city_batch"], world.pudong_officer),
        (slice_["pudong_batch"], world.changning_officer),
        (999_999, world.city_officer),
    ):
        response = await client.post(f"/payment-batches/{batch_id}/exports", headers=user.headers)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    denied = await client.post(
        f"/payment-batches/{slice_['city_batch']}/exports", headers=world.other_applicant.headers
    )
    assert denied.status_code == 403
    assert await row_counts() == before
