"""聚力计划 demand-list import: the template, a dry run, a commit that writes all rows or none, and a report of
every problem by row, column, code and zh-CN message."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from programmes.matching import demand_import
from programmes.matching.tables import Demand
from tests.factories.http import ok, refused
from tests.factories.matching_demand import DemandWorld, demand_list_row, demand_list_xlsx

URL = "/matching/demand-import"


def upload(content: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("需求清单.xlsx", content, "application/octet-stream")}


async def test_template_has_the_offices_columns(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    answer = await client.get(f"{URL}/template", headers=demand_world.community.headers)
    assert answer.status_code == 200 and "spreadsheetml" in answer.headers["content-type"]
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == list(demand_import.COLUMNS)
    assert (await client.get(f"{URL}/template", headers=demand_world.city_officer.headers)).status_code == 403
    assert (await client.get(f"{URL}/template")).status_code == 401


async def test_the_template_itself_imports(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    template = (await client.get(f"{URL}/template", headers=w.community.headers)).content
    report = ok(await client.post(URL, files=upload(template), headers=w.community.headers))
    assert report["rows"] == 1 and report["valid_rows"] == 1 and report["errors"] == [], report


async def test_dry_run_then_commit(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    w = demand_world
    content = demand_list_xlsx(
        [
            demand_list_row(),
            demand_list_row(需求名称="暑期托管", 领域="文体活动", 标签="儿童关爱、社区社会组织", 允许跨区="是"),
            demand_list_row(
                需求名称="对口帮扶",
                领域="城乡帮扶",
                对口地区="云南省文山州",
                **{"预算下限(元)": None, "预算上限(元)": None},
            ),
        ]
    )
    dry = ok(await client.post(URL, files=upload(content), headers=w.community.headers))
    assert dry == {**dry, "dry_run": True, "rows": 3, "valid_rows": 3, "created": 0, "errors": []}
    assert await Demand.count() == 0
    done = ok(await client.post(URL, params={"dry_run": "false"}, files=upload(content), headers=w.community.headers))
    assert done["created"] == 3 and done["batch"].startswith("xlsx-")
    rows = {r["title"]: r for r in await Demand.select().where(Demand.id.is_in(done["demand_ids"]))}
    assert {r["status"] for r in rows.values()} == {"draft"}
    assert {r["import_batch"] for r in rows.values()} == {done["batch"]}
    assert (
        rows["老年人智能手机培训"]["tags"] == ["elderly"] and rows["老年人智能手机培训"]["budget_max_fen"] == 1_000_050
    )
    assert rows["暑期托管"]["tags"] == ["children", "community_org"] and rows["暑期托管"]["cross_district"] is True
    assert rows["对口帮扶"]["budget_min_fen"] is None and rows["对口帮扶"]["paired_area"] == "云南省文山州"
    mine = ok(await client.get("/matching/my/demands", headers=w.community.headers))
    assert len(mine) == 3
    assert ok(await client.get("/matching/my/demands", headers=w.other_community.headers)) == []


async def test_every_problem_is_reported_and_nothing_is_written(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    content = demand_list_xlsx(
        [
            demand_list_row(),  # row 2: fine
            demand_list_row(开始日期="明年", **{"预算下限(元)": "五千"}),  # row 3
            demand_list_row(领域="体育", 标签="无此标签"),  # row 4
            demand_list_row(区="浦东新区", 街镇="陆家嘴街道"),  # row 5
            demand_list_row(开始日期="2027-05-01", 结束日期="2027-04-01", 需求名称=None),  # row 6
            demand_list_row(领域="城乡帮扶", 需要机构数=99, 联系电话="123", 允许跨区="也许"),  # row 7
        ]
    )
    report = ok(await client.post(URL, params={"dry_run": "false"}, files=upload(content), headers=w.community.headers))
    assert report["created"] == 0 and report["valid_rows"] == 1 and report["rows"] == 6
    found = {(e["row"], e["column"], e["code"]) for e in report["errors"]}
    assert {
        (3, "开始日期", "bad_date"),
        (3, "预算下限(元)", "bad_amount"),
        (4, "领域", "field_unknown"),
        (5, "区", "district_mismatch"),
        (5, "街镇", "street_mismatch"),
        (6, "需求名称", "required"),
        (7, "允许跨区", "bad_flag"),
    } <= found, found
    messages = [e["message"] for e in report["errors"]]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    content = demand_list_xlsx(
        [demand_list_row(标签="无此标签"), demand_list_row(开始日期="2027-05-01", 结束日期="2027-04-01")]
    )
    report = ok(await client.post(URL, files=upload(content), headers=w.community.headers))
    found = {(e["row"], e["column"], e["code"]) for e in report["errors"]}
    assert found == {(2, "标签", "tag_unknown"), (3, "结束日期", "period_reversed")}, found
    content = demand_list_xlsx([demand_list_row(领域="城乡帮扶", 需要机构数=99, 联系电话="123")])
    found = {
        (e["column"]) for e in ok(await client.post(URL, files=upload(content), headers=w.community.headers))["errors"]
    }
    assert {"需要机构数", "联系电话"} <= found
    assert await Demand.count() == 0


async def test_files_that_cannot_be_a_demand_list(client: httpx.AsyncClient, demand_world: DemandWorld) -> None:
    h = demand_world.community.headers
    refused(await client.post(URL, files=upload(b"not a spreadsheet"), headers=h), 422, "import_unreadable", "file")
    refused(
        await client.post(URL, files=upload(demand_list_xlsx([], headers=["名称", "说明"])), headers=h),
        422,
        "import_columns_missing",
        "file",
    )
    many = demand_list_xlsx([demand_list_row()] * (demand_import.MAX_ROWS + 1))
    refused(await client.post(URL, files=upload(many), headers=h), 422, "import_too_many_rows", "file")
    too_big = await client.post(URL, files=upload(b"PK\x03\x04" + b"0" * (demand_import.MAX_BYTES + 1)), headers=h)
    assert too_big.status_code == 413
    assert (await client.post(URL, files=upload(b"x"), headers=demand_world.city_officer.headers)).status_code == 403
    assert await Demand.count() == 0
