"""服务清单 pages (聚力计划): an organisation publishes an offer through the API's service (money typed in 元 stored in
fen), sees the schema's and the service's errors next to their fields with nothing written, edits an approved offer
into a new version, withdraws one (refused while an order is live); another organisation's offer is the uniform 404
and a community account is refused, as the API refuses them."""

from __future__ import annotations

import httpx

from app.portal.errors import FORBIDDEN, NOT_FOUND
from programmes.matching.tables import OfferVersion, ServiceOffer
from tests import factories
from tests.factories import matching as builders
from tests.factories.matching_offers import tags
from tests.factories.matching_orders import order
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

GOOD = {
    "field": "governance",
    "title": "银龄数字课堂",
    "description": "志愿者一对一辅导老年人使用智能手机。",
    "districts_served": ["changning", "xuhui"],
    "capacity": "3",
    "price_min_yuan": "1,200.5",
    "price_max_yuan": "3000",
    "delivery_days": "30",
}


async def _post(
    client: httpx.AsyncClient, path: str, data: dict[str, object], page: str = "/portal/offers/new"
) -> httpx.Response:
    token = await csrf_token(client, page)
    return await client.post(path, data={"csrf_token": token, **data})  # type: ignore[dict-item]


async def test_an_organisation_publishes_an_offer_and_finds_it_in_its_list(client: httpx.AsyncClient) -> None:
    await tags("elderly", "digital")
    org_id, member = await factories.organisation()
    await signed_in(client, member.principal.username)

    form = await client.get("/portal/offers/new")
    assert form.status_code == 200
    assert '<label for="title">服务项目名称</label>' in form.text and "社区治理" in form.text
    assert 'name="districts_served" value="changning"' in form.text and "长宁区" in form.text
    assert 'name="tags" value="elderly"' in form.text

    response = await _post(client, "/portal/offers", {**GOOD, "tags": ["elderly", "digital"], "action": "submit"})

    assert response.status_code == 303, response.text
    row = await ServiceOffer.select().where(ServiceOffer.organisation == org_id).first()
    assert row is not None and response.headers["location"] == f"/portal/offers/{row['id']}"
    assert row["status"] == "submitted" and row["capacity"] == 3 and row["delivery_days"] == 30
    assert (row["price_min_fen"], row["price_max_fen"]) == (120050, 300000)
    assert row["districts_served"] == ["changning", "xuhui"] and row["tags"] == ["elderly", "digital"]
    detail = await client.get(response.headers["location"])
    assert "已提交审核" in detail.text and "待审核" in detail.text and "1,200.50 元" in detail.text
    assert "submitted" not in detail.text
    listing = await client.get("/portal/offers")
    assert f'href="/portal/offers/{row["id"]}"' in listing.text and "共 1 项" in listing.text


async def test_errors_show_next_to_their_fields_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    await tags("elderly")
    _, member = await factories.organisation()
    await signed_in(client, member.principal.username)
    before = await row_counts()

    typed = await _post(client, "/portal/offers", {**GOOD, "title": "课", "capacity": "0", "price_min_yuan": "abc"})
    assert typed.status_code == 422
    assert 'id="title-error">至少 2 个字符<' in typed.text
    assert 'id="capacity-error">不能小于 1<' in typed.text
    assert 'id="price_min_fen-error">应为整数<' in typed.text
    assert 'value="abc"' in typed.text and 'role="alert"' in typed.text

    # The service's own checks (no area served, an inverted price range, an unknown tag): one 422, each by its field.
    ruled = await _post(
        client,
        "/portal/offers",
        {**GOOD, "districts_served": [], "price_min_yuan": "50", "price_max_yuan": "10", "tags": ["no_such_tag"]},
    )
    assert ruled.status_code == 422
    assert 'id="districts_served-error">请选择服务的区，或勾选全市范围<' in ruled.text
    assert 'id="price_min_fen-error">报价下限不能高于上限<' in ruled.text
    assert 'id="tags-error">标签不存在：no_such_tag<' in ruled.text
    assert await row_counts() == before


async def test_an_approved_offer_is_edited_into_a_new_version_and_withdrawn_only_without_live_orders(
    client: httpx.AsyncClient,
) -> None:
    org_id, member = await factories.organisation()
    offer_id = await builders.offer(org_id, capacity=2)
    await signed_in(client, member.principal.username)
    page = f"/portal/offers/{offer_id}"

    detail = await client.get(page)
    assert "已入库（可对接）" in detail.text and "保存为新版本" in detail.text and "撤回服务项目" in detail.text
    edited = await _post(client, page, {**GOOD, "title": "银龄数字课堂（升级版）"}, page)
    assert edited.status_code == 303
    assert "已保存（第 2 版）" in (await client.get(page)).text
    assert await OfferVersion.count().where(OfferVersion.offer == offer_id) == 1

    community_id, _ = await builders.community()
    await order(await builders.demand(community_id), offer_id, org_id, "accepted")
    before = await row_counts()
    below = await _post(client, page, {**GOOD, "capacity": "0"}, page)
    assert below.status_code == 422 and 'id="capacity-error">不能小于 1<' in below.text
    refused = await _post(client, f"{page}/withdraw", {}, page)
    assert refused.status_code == 409 and "还有 1 个未完成的订单" in refused.text
    assert await row_counts() == before
    row = await ServiceOffer.select(ServiceOffer.status).where(ServiceOffer.id == offer_id).first()
    assert row == {"status": "approved"}


async def test_a_draft_is_submitted_and_withdrawn_from_its_page(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    offer_id = await builders.offer(org_id, status="draft")
    await signed_in(client, member.principal.username)
    page = f"/portal/offers/{offer_id}"

    assert (await _post(client, f"{page}/submit", {}, page)).status_code == 303
    assert "已提交审核，审核通过后即可对接" in (await client.get(page)).text
    again = await _post(client, f"{page}/submit", {}, page)
    assert again.status_code == 409 and "待审核" in again.text  # the engine's refusal, in Chinese
    assert (await _post(client, f"{page}/withdraw", {}, page)).status_code == 303
    assert (await ServiceOffer.select(ServiceOffer.status).where(ServiceOffer.id == offer_id).first()) == {
        "status": "withdrawn"
    }


async def test_another_organisations_offer_is_the_uniform_404_and_a_community_is_refused(
    client: httpx.AsyncClient,
) -> None:
    other_org, _ = await factories.organisation()
    theirs = await builders.offer(other_org)
    _, member = await factories.organisation()
    _, community = await builders.community()
    await signed_in(client, member.principal.username)
    before = await row_counts()

    for path in (f"/portal/offers/{theirs}", "/portal/offers/2147483647"):
        shown = await client.get(path)
        assert shown.status_code == 404 and NOT_FOUND in shown.text and "银龄" not in shown.text
    for action in ("", "/withdraw", "/submit"):
        posted = await _post(client, f"/portal/offers/{theirs}{action}", GOOD, "/portal/offers")
        assert posted.status_code == 404 and NOT_FOUND in posted.text
    assert await row_counts() == before

    client.cookies.clear()
    await signed_in(client, community.principal.username)
    assert (await client.get("/portal/offers")).status_code == 403
    created = await _post(client, "/portal/offers", GOOD, "/portal/")
    assert created.status_code == 403 and FORBIDDEN in created.text
    after = await row_counts()
    assert {**after, "audit_entry": 0} == {**before, "audit_entry": 0}  # the sign-in is audited, nothing else


async def test_the_lists_page_with_a_more_link_that_keeps_the_filters(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation()
    ids = [await builders.offer(org_id, title=f"服务项目{n}") for n in range(3)]
    community_id, _ = await builders.community()
    for n in range(3):
        await builders.demand(community_id, title=f"需求{n}")
    await signed_in(client, member.principal.username)

    first = await client.get("/portal/offers?limit=2")
    assert f"/portal/offers/{ids[2]}" in first.text and f'/portal/offers/{ids[0]}"' not in first.text
    assert 'href="/portal/offers?offset=2&amp;limit=2">更多<' in first.text and "共 3 项" in first.text
    last = await client.get("/portal/offers?offset=2&limit=2")
    assert f"/portal/offers/{ids[0]}" in last.text and "更多<" not in last.text

    demands = await client.get("/portal/demands?limit=2&district=changning")
    assert 'href="/portal/demands?offset=2&amp;limit=2&amp;district=changning">更多<' in demands.text
