"""The community's xlsx import (the service's report row by row, all rows or none), its orders (confirm delivery,
evaluate once, cancel with a reason — errors in the API's words, nothing changed on error; another community's order
is the 404) and replicating a case into a draft demand of its own."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from app.portal.errors import NOT_FOUND
from app.timezone import now_utc
from programmes.matching import cases, demand_import
from programmes.matching.schemas_case import CasePromote
from programmes.matching.tables import Demand, MatchOrder, OrderEvaluation
from programmes.xlsx_export import write_xlsx
from tests import factories
from tests.factories import matching as builders
from tests.factories import matching_cases
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

IMPORT = "/portal/community/demands/import"


def _sheet(*rows: list[object]) -> bytes:
    return write_xlsx(list(demand_import.COLUMNS), [list(r) for r in rows], "需求清单")


def _row(
    title: str, start: object = date(2027, 1, 1), end: object = date(2027, 3, 31), budget: object = 5000
) -> list[object]:
    return ["社区治理", "", title, "描述", "", "", "", "社区老年人", 40, start, end, budget, 10000, 1, "否", "王老师",
            "021-62512345"]  # fmt: skip


async def _upload(client: httpx.AsyncClient, content: bytes, action: str) -> httpx.Response:
    token = await csrf_token(client, IMPORT)
    files = {"file": ("需求清单.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return await client.post(IMPORT, data={"csrf_token": token, "action": action}, files=files)


async def test_the_import_reports_every_bad_row_and_imports_nothing(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    await signed_in(client, account.principal.username)
    template = await client.get(f"{IMPORT}/template")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert "attachment" in template.headers["content-disposition"]
    before = await row_counts()

    bad = _sheet(
        _row("老年人智能手机培训"),
        _row("文艺汇演", end=date(2026, 12, 1)),
        _row("助餐", budget="五千"),
        _row("义诊", budget="Infinity"),
    )
    for action in ("dry_run", "commit"):
        report = await _upload(client, bad, action)
        assert report.status_code == 422, report.text
        assert "<td>3</td><td>结束日期</td><td>结束日期不能早于开始日期</td>" in report.text
        assert "<td>4</td><td>预算下限(元)</td><td>金额应为数字（元），最多两位小数</td>" in report.text
        assert "<td>5</td><td>预算下限(元)</td><td>金额应为数字（元），最多两位小数</td>" in report.text  # not a 500
        assert "未导入任何需求" in report.text
    assert await row_counts() == before

    unreadable = await _upload(client, b"not a spreadsheet", "commit")
    assert unreadable.status_code == 422 and "无法读取 xlsx 文件" in unreadable.text
    assert await row_counts() == before


async def test_a_clean_list_is_checked_then_imported_as_drafts(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    await signed_in(client, account.principal.username)
    good = _sheet(_row("老年人智能手机培训"), _row("文艺汇演"))

    checked = await _upload(client, good, "dry_run")
    assert checked.status_code == 200 and "试导入通过" in checked.text and "共 2 条需求" in checked.text
    assert await Demand.count().where(Demand.community == community_id) == 0

    imported = await _upload(client, good, "commit")
    assert imported.status_code == 303 and imported.headers["location"] == "/portal/community/demands"
    rows = await Demand.select(Demand.status, Demand.import_batch).where(Demand.community == community_id)
    assert len(rows) == 2 and {r["status"] for r in rows} == {"draft"} and rows[0]["import_batch"]
    listed = await client.get("/portal/community/demands")
    assert "已导入 2 条需求草稿" in listed.text and "文艺汇演" in listed.text


async def _order(status: str) -> tuple[int, int, object]:
    """An order of a fresh community's demand in ``status`` (delivery records if delivered so far)."""
    community_id, account = await builders.community()
    demand_id = await builders.demand(community_id, status="matched", published_at=now_utc() - timedelta(days=20))
    org_id, _ = await factories.organisation(name="阳光社区服务社")
    offer_id = await builders.offer(org_id)
    order_id = await matching_cases.order(demand_id, offer_id, org_id, status=status, served=(30, 12))
    return order_id, demand_id, account


async def test_the_community_confirms_delivery_and_evaluates_once(client: httpx.AsyncClient) -> None:
    order_id, _, account = await _order("in_delivery")
    await signed_in(client, account.principal.username)  # type: ignore[attr-defined]
    page = f"/portal/community/orders/{order_id}"

    listed = await client.get("/portal/community/orders")
    assert page in listed.text and "服务中" in listed.text and "阳光社区服务社" in listed.text
    detail = await client.get(page)
    assert "第 1 次活动" in detail.text and "服务记录（2）" in detail.text and "确认服务完成" in detail.text

    token = await csrf_token(client, page)
    confirmed = await client.post(f"{page}/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 303
    assert (await MatchOrder.select(MatchOrder.status).where(MatchOrder.id == order_id).first()) == {
        "status": "delivered"
    }

    before = await row_counts()
    missing = {"ratings.quality": "5", "ratings.timeliness": "4", "ratings.communication": "9", "comment": "很好"}
    refused = await client.post(f"{page}/evaluate", data={"csrf_token": token, **missing})
    assert refused.status_code == 422
    assert 'id="rating-effect-error">请为“实际成效”评分<' in refused.text
    assert 'id="rating-communication-error">“沟通配合”评分须为 1–5 的整数<' in refused.text
    assert ">很好</textarea>" in refused.text
    assert await row_counts() == before

    ratings = {"ratings.quality": "5", "ratings.timeliness": "4", "ratings.communication": "5", "ratings.effect": "5"}
    evaluated = await client.post(
        f"{page}/evaluate", data={"csrf_token": token, **ratings, "comment": "老人们反响很好"}
    )
    assert evaluated.status_code == 303
    row = await OrderEvaluation.select().where(OrderEvaluation.order == order_id).first().output(load_json=True)
    assert row is not None and row["overall"] == 5 and row["comment"] == "老人们反响很好"
    shown = await client.get(page)
    assert "已评价" in shown.text and "老人们反响很好" in shown.text and "提交评价" not in shown.text

    again = await client.post(f"{page}/evaluate", data={"csrf_token": token, **ratings})
    assert again.status_code == 409 and 'role="alert"' in again.text
    assert await OrderEvaluation.count().where(OrderEvaluation.order == order_id) == 1


async def test_confirming_without_records_and_cancelling_without_a_reason_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    order_id, _, account = await _order("in_delivery")
    from programmes.matching.tables import DeliveryRecord

    await DeliveryRecord.delete().where(DeliveryRecord.order == order_id)
    await signed_in(client, account.principal.username)  # type: ignore[attr-defined]
    page = f"/portal/community/orders/{order_id}"
    token = await csrf_token(client, page)
    before = await row_counts()

    unrecorded = await client.post(f"{page}/confirm", data={"csrf_token": token})
    assert unrecorded.status_code == 409 and "承接机构尚未登记任何服务记录" in unrecorded.text
    reasonless = await client.post(f"{page}/cancel", data={"csrf_token": token, "reason": ""})
    assert reasonless.status_code == 422 and 'id="reason-error"' in reasonless.text
    assert await row_counts() == before
    assert (await MatchOrder.select(MatchOrder.status).where(MatchOrder.id == order_id).first()) == {
        "status": "in_delivery"
    }

    cancelled = await client.post(f"{page}/cancel", data={"csrf_token": token, "reason": "机构人手不足，无法继续"})
    assert cancelled.status_code == 303
    assert (await MatchOrder.select(MatchOrder.status).where(MatchOrder.id == order_id).first()) == {
        "status": "cancelled"
    }


async def test_another_communitys_order_is_the_404_page(client: httpx.AsyncClient) -> None:
    order_id, _, _ = await _order("in_delivery")
    _, stranger = await builders.community()
    await signed_in(client, stranger.principal.username)
    before = await row_counts()

    page = await client.get(f"/portal/community/orders/{order_id}")
    assert page.status_code == 404 and NOT_FOUND in page.text and "第 1 次活动" not in page.text
    token = await csrf_token(client, "/portal/community/orders")
    for step, data in (("confirm", {}), ("evaluate", {"ratings.quality": "5"}), ("cancel", {"reason": "不需要了"})):
        posted = await client.post(f"/portal/community/orders/{order_id}/{step}", data={"csrf_token": token, **data})
        assert posted.status_code == 404 and NOT_FOUND in posted.text
    assert await row_counts() == before
    assert f"/portal/community/orders/{order_id}" not in (await client.get("/portal/community/orders")).text


async def test_a_community_replicates_a_published_case(client: httpx.AsyncClient) -> None:
    world = await matching_cases.evaluated_order()
    officer = await matching_cases.officer()
    case = await cases.promote(
        officer.principal,
        CasePromote(order_id=world["order_id"], title="银龄数字课堂走进社区", summary="志愿者每周辅导老人。"),
    )
    draft = await builders.demand(world["community_id"], status="draft", title="草稿")
    await signed_in(client, (await builders.community())[1].principal.username)
    assert (await client.get(f"/portal/community/cases/{case.id}")).status_code == 404  # still a draft
    await cases.publish(officer.principal, case.id)

    library = await client.get("/portal/community/cases")
    assert f"/portal/community/cases/{case.id}" in library.text and "银龄数字课堂走进社区" in library.text
    token = await csrf_token(client, f"/portal/community/cases/{case.id}")
    before = await row_counts()
    bad = await client.post(
        f"/portal/community/cases/{case.id}/replicate",
        data={"csrf_token": token, "period_start": "2027-03-01", "period_end": "2027-02-01"},
    )
    assert bad.status_code == 422 and 'id="period_end-error">结束日期不能早于开始日期<' in bad.text
    assert await row_counts() == before

    made = await client.post(
        f"/portal/community/cases/{case.id}/replicate", data={"csrf_token": token, "period_start": "2027-03-01"}
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    row = await Demand.select().where(Demand.id == new_id).first()
    assert row is not None and row["source_case"] == case.id and row["status"] == "draft" and row["id"] != draft
    assert "已按案例新建需求草稿" in (await client.get(made.headers["location"])).text


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_the_order_page_lists_delivery_photos_for_its_community_only(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    demand_id = await builders.demand(community_id, status="matched", published_at=now_utc() - timedelta(days=20))
    org_id, member = await factories.organisation()
    order_id = await matching_cases.order(
        demand_id, await builders.offer(org_id), org_id, status="in_delivery", served=(30,)
    )
    from programmes.matching.tables import DeliveryRecord

    record = await DeliveryRecord.select(DeliveryRecord.id).where(DeliveryRecord.order == order_id).first()
    assert record is not None
    uploaded = await client.post(
        f"/matching/orders/{order_id}/delivery-records/{record['id']}/files",
        files={"file": ("现场照片.png", PNG, "image/png")},
        headers=member.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]

    await signed_in(client, account.principal.username)
    page = await client.get(f"/portal/community/orders/{order_id}")
    assert f'href="/portal/community/delivery-files/{file_id}">现场照片.png</a>' in page.text
    download = await client.get(f"/portal/community/delivery-files/{file_id}")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"].startswith("image/png")

    client.cookies.clear()
    await signed_in(client, (await builders.community())[1].principal.username)
    foreign = await client.get(f"/portal/community/delivery-files/{file_id}")
    assert foreign.status_code == 404 and NOT_FOUND in foreign.text
