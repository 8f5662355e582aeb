"""Open demands, 申请承接 and orders through the organisation's pages (聚力计划): the API's list and filters, the
bid and 接单 through the services (their one-pending-application and capacity rules decided under their locks, also
for 50 concurrent posts), delivery records with a photo, the timeline; errors change nothing; another organisation's
order is the uniform 404 and a community account is refused where the API refuses it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from app.portal.errors import NOT_FOUND
from app.portal.session import CSRF_COOKIE
from app.reference import District
from app.timezone import now_utc, today_shanghai
from programmes.matching.tables import DeliveryRecord, DemandBid, MatchOrder, OrderEvaluation
from programmes.matching.tables_delivery import DeliveryFile
from tests import factories
from tests.factories import matching as builders
from tests.factories.matching_orders import matched_pair, order
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

RACERS = 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, str], **kwargs: object) -> httpx.Response:
    token = client.cookies.get(CSRF_COOKIE) or await csrf_token(client, "/portal/")
    return await client.post(path, data={"csrf_token": token, **data}, **kwargs)  # type: ignore[arg-type]


async def test_open_demands_list_with_filters_and_a_bid_through_the_service(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation(District.changning)
    offer_id = await builders.offer(org_id, title="银龄数字课堂")
    community_id, community = await builders.community(District.changning)
    demand_id = await builders.demand(community_id, title="老年人智能手机培训", contact_name="王老师")
    pudong_id, _ = await builders.community(District.pudong)
    await builders.demand(pudong_id, title="浦东文体活动", field="culture_sports")
    await builders.demand(community_id, title="草稿需求", status="draft")

    anyone = await client.get("/portal/demands")
    assert anyone.status_code == 200 and "老年人智能手机培训" in anyone.text and "浦东文体活动" in anyone.text
    assert "草稿需求" not in anyone.text and "共 2 项" in anyone.text and "王老师" not in anyone.text
    only = await client.get("/portal/demands?district=changning&field=governance")
    assert "老年人智能手机培训" in only.text and "浦东文体活动" not in only.text
    assert (await client.get("/portal/demands?district=mars")).status_code == 400

    await signed_in(client, member.principal.username)
    detail = await client.get(f"/portal/demands/{demand_id}")
    assert "王老师" in detail.text and f'<option value="{offer_id}"' in detail.text  # contacts for organisations
    before = await row_counts()
    bad = await _post(client, f"/portal/demands/{demand_id}/bids", {"offer_id": "", "message": "x" * 1001})
    assert bad.status_code == 422 and 'id="offer_id-error">此字段为必填项<' in bad.text
    assert 'id="message-error">最多 1000 个字符<' in bad.text
    assert await row_counts() == before

    applied = await _post(
        client, f"/portal/demands/{demand_id}/bids", {"offer_id": str(offer_id), "message": "两年经验"}
    )
    assert applied.status_code == 303 and applied.headers["location"] == "/portal/bids"
    mine = await client.get("/portal/bids")
    assert "老年人智能手机培训" in mine.text and "待社区选择" in mine.text and "撤回申请" in mine.text
    before = await row_counts()
    twice = await _post(client, f"/portal/demands/{demand_id}/bids", {"offer_id": str(offer_id)})
    assert twice.status_code == 409 and "本机构已有一份待社区选择的申请" in twice.text
    assert await row_counts() == before
    bid = await DemandBid.select(DemandBid.id).where(DemandBid.demand == demand_id).first()
    assert bid is not None
    assert (await _post(client, f"/portal/bids/{bid['id']}/withdraw", {})).status_code == 303
    withdrawn = await client.get("/portal/bids")
    assert "承接申请已撤回" in withdrawn.text and "<strong>已撤回</strong>" in withdrawn.text
    assert "撤回申请</button>" not in withdrawn.text
    before = await row_counts()

    client.cookies.clear()
    await signed_in(client, community.principal.username)
    refused = await _post(client, f"/portal/demands/{demand_id}/bids", {"offer_id": str(offer_id)})
    assert refused.status_code == 403 and await row_counts() == before
    assert (await client.get("/portal/orders")).status_code == 403 and (
        await client.get("/portal/bids")
    ).status_code == 403


async def test_fifty_concurrent_bids_leave_one_pending_application(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    offer_id = await builders.offer(org_id)
    community_id, _ = await builders.community()
    demand_id = await builders.demand(community_id)
    await signed_in(client, member.principal.username)
    await csrf_token(client, f"/portal/demands/{demand_id}")

    responses = await asyncio.gather(
        *[_post(client, f"/portal/demands/{demand_id}/bids", {"offer_id": str(offer_id)}) for _ in range(RACERS)]
    )

    assert sum(r.status_code == 303 for r in responses) == 1
    assert all("本机构已有一份待社区选择的申请" in r.text for r in responses if r.status_code != 303)
    assert {r.status_code for r in responses} <= {303, 409}
    assert await DemandBid.count().where(DemandBid.demand == demand_id) == 1


async def test_fifty_concurrent_accepts_fill_exactly_the_providers_a_demand_wants(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    community_id, _ = await builders.community()
    wanted = 3
    demand_id = await builders.demand(community_id, providers_wanted=wanted)
    orders = [await order(demand_id, await builders.offer(org_id, capacity=1), org_id) for _ in range(RACERS)]
    await signed_in(client, member.principal.username)
    await csrf_token(client, "/portal/orders")

    responses = await asyncio.gather(*[_post(client, f"/portal/orders/{o}/accept", {}) for o in orders])

    assert sum(r.status_code == 303 for r in responses) == wanted
    assert {r.status_code for r in responses} <= {303, 409}
    accepted = await MatchOrder.count().where(MatchOrder.demand == demand_id, MatchOrder.status == "accepted")
    assert accepted == wanted
    assert (
        await MatchOrder.count().where(MatchOrder.demand == demand_id, MatchOrder.status == "cancelled")
        == RACERS - wanted
    )


async def test_the_last_unit_of_an_offer_goes_to_one_of_fifty_accepts(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    offer_id = await builders.offer(org_id, capacity=2)
    community_id, _ = await builders.community()
    await order(await builders.demand(community_id), offer_id, org_id, "accepted")
    orders = [await order(await builders.demand(community_id), offer_id, org_id) for _ in range(RACERS)]
    await signed_in(client, member.principal.username)
    await csrf_token(client, "/portal/orders")

    responses = await asyncio.gather(*[_post(client, f"/portal/orders/{o}/accept", {}) for o in orders])

    assert sum(r.status_code == 303 for r in responses) == 1
    refusals = [r for r in responses if r.status_code != 303]
    assert all(r.status_code == 409 and "服务项目同时承接数已满（上限 2 单）" in r.text for r in refusals)
    assert await MatchOrder.count().where(MatchOrder.offer == offer_id, MatchOrder.status == "accepted") == 2


async def test_an_order_is_taken_delivered_with_a_photo_and_read_on_its_timeline(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    pair = await matched_pair(org_id)
    other_org, _ = await factories.organisation()
    theirs = await matched_pair(other_org)
    await signed_in(client, member.principal.username)
    page = f"/portal/orders/{pair.order_id}"

    listing = await client.get("/portal/orders")
    assert "已匹配，待接单" in listing.text and "请确认是否接单" in listing.text and "matched" not in listing.text
    assert f"/portal/orders/{theirs.order_id}" not in listing.text
    assert "接单" in (await client.get(page)).text
    assert (await _post(client, f"{page}/accept", {})).status_code == 303
    assert (await _post(client, f"{page}/start-delivery", {})).status_code == 303

    before = await row_counts()
    tomorrow = (today_shanghai() + timedelta(days=1)).isoformat()
    late = await _post(
        client, f"{page}/records", {"delivered_on": tomorrow, "activity": "课堂", "beneficiaries_served": "3"}
    )
    assert late.status_code == 422 and 'id="delivered_on-error">服务日期不能晚于今天' in late.text
    typed = await _post(client, f"{page}/records", {"delivered_on": "", "activity": "课", "beneficiaries_served": "-1"})
    assert typed.status_code == 422 and 'id="activity-error">至少 2 个字符<' in typed.text
    assert 'id="delivered_on-error">此字段为必填项<' in typed.text and 'id="beneficiaries_served-error"' in typed.text
    assert await row_counts() == before

    today = today_shanghai().isoformat()
    added = await _post(
        client, f"{page}/records", {"delivered_on": today, "activity": "智能手机课堂", "beneficiaries_served": "32"}
    )
    assert added.status_code == 303
    record = await DeliveryRecord.select().where(DeliveryRecord.order == pair.order_id).first()
    assert record is not None and record["beneficiaries_served"] == 32
    url = f"{page}/records/{record['id']}/files"
    token = client.cookies.get(CSRF_COOKIE)
    wrong = await client.post(url, data={"csrf_token": token}, files={"file": ("照片.pdf", PNG, "application/pdf")})
    assert wrong.status_code == 422 and f'id="file-{record["id"]}-error"' in wrong.text
    assert await DeliveryFile.count() == 0
    none = await client.post(url, data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")})
    assert none.status_code == 422 and "请选择要上传的照片或文件" in none.text
    photo = await client.post(url, data={"csrf_token": token}, files={"file": ("现场照片.png", PNG, "image/png")})
    assert photo.status_code == 303
    stored = await DeliveryFile.select().first()
    assert stored is not None

    detail = await client.get(page)
    assert "服务中" in detail.text and "机构接单" in detail.text and "智能手机课堂（服务 32 人）" in detail.text
    assert "现场照片.png" in detail.text and "社区在其账户中确认服务完成" in detail.text
    download = await client.get(f"/portal/delivery-files/{stored['id']}")
    assert download.status_code == 200 and download.content == PNG

    before = await row_counts()
    hidden = await client.get(f"/portal/orders/{theirs.order_id}")
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    for action in ("accept", "start-delivery", "records", "evaluation-response"):
        posted = await _post(client, f"/portal/orders/{theirs.order_id}/{action}", {"activity": "x"})
        assert posted.status_code == 404 and NOT_FOUND in posted.text, action
    assert await row_counts() == before


async def test_declining_needs_a_reason_and_the_community_s_evaluation_is_answered_once(
    client: httpx.AsyncClient,
) -> None:
    org_id, member = await factories.organisation()
    pair = await matched_pair(org_id)
    evaluated = await matched_pair(org_id, status="evaluated")
    await OrderEvaluation.insert(
        OrderEvaluation(
            order=evaluated.order_id, overall=5, ratings={"quality": 5}, comment="很好", created_at=now_utc()
        )
    )
    await signed_in(client, member.principal.username)
    await csrf_token(client, "/portal/orders")

    before = await row_counts()
    short = await _post(client, f"/portal/orders/{pair.order_id}/decline", {"reason": "忙"})
    assert short.status_code == 422 and 'id="reason-error">至少 2 个字符<' in short.text
    assert await row_counts() == before
    assert (
        await _post(client, f"/portal/orders/{pair.order_id}/decline", {"reason": "本季度人手不足"})
    ).status_code == 303
    assert "机构已婉拒" in (await client.get(f"/portal/orders/{pair.order_id}")).text

    page = f"/portal/orders/{evaluated.order_id}"
    shown = await client.get(page)
    assert "社区评价" in shown.text and "服务质量" in shown.text and "很好" in shown.text
    assert (await _post(client, f"{page}/evaluation-response", {"response": "感谢社区的支持"})).status_code == 303
    again = await _post(client, f"{page}/evaluation-response", {"response": "再次感谢"})
    assert again.status_code == 409
    assert "感谢社区的支持" in (await client.get(page)).text
