"""The community's demand pages (需求清单): its own list, writing a demand through the API's schema and service
(budgets in 元, errors next to their fields, nothing written on error), editing while the workflow allows, the
workflow's steps, the applications with the choose step and the recommendations — another community's demand is the
uniform 404 page and an organisation is refused."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from app.portal.errors import FORBIDDEN, NOT_FOUND
from programmes.matching import bids
from programmes.matching.schemas_order import BidCreate
from programmes.matching.tables import Demand, DemandBid, MatchOrder
from tests import factories
from tests.factories import matching as builders
from tests.factories.matching_cases import tags
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import row_counts

GOOD = {
    "field": "governance",
    "title": "老年人智能手机培训",
    "description": "每周一次，教老年人使用智能手机就医、出行。",
    "beneficiary_group": "社区老年人",
    "expected_beneficiaries": "40",
    "period_start": "2027-01-01",
    "period_end": "2027-03-31",
    "budget_min_yuan": "5000",
    "budget_max_yuan": "10,000.50",
    "providers_wanted": "1",
    "contact_name": "王老师",
    "contact_phone": "021-62512345",
}


async def _post(
    client: httpx.AsyncClient, path: str, data: dict[str, str | list[str]], page: str = ""
) -> httpx.Response:
    token = await csrf_token(client, page or path)
    return await client.post(path, data={"csrf_token": token, **data})


async def test_the_list_shows_only_the_own_communitys_demands(client: httpx.AsyncClient) -> None:
    mine, account = await builders.community()
    other, _ = await builders.community()
    await builders.demand(mine, title="本社区的需求", status="draft")
    await builders.demand(other, title="别的社区的需求")
    await signed_in(client, account.principal.username)

    page = await client.get("/portal/community/demands")
    assert page.status_code == 200
    assert "本社区的需求" in page.text and "别的社区的需求" not in page.text
    assert "草稿" in page.text and ">draft<" not in page.text
    home = await client.get("/portal/")
    assert 'href="/portal/community/demands"' in home.text and "即将开放" not in home.text


async def test_publishing_a_demand_writes_a_draft_in_fen_through_the_service(client: httpx.AsyncClient) -> None:
    await tags("elderly")
    community_id, account = await builders.community()
    await signed_in(client, account.principal.username)
    form = await client.get("/portal/community/demands/new")
    assert '<option value="culture_sports">文体活动</option>' in form.text
    assert 'name="tags" value="elderly"' in form.text

    response = await _post(client, "/portal/community/demands/new", {**GOOD, "tags": ["elderly"]})

    assert response.status_code == 303, response.text
    row = await Demand.select().where(Demand.community == community_id).first()
    assert row is not None and row["status"] == "draft" and row["tags"] == ["elderly"]
    assert (row["budget_min_fen"], row["budget_max_fen"]) == (500_000, 1_000_050)
    assert response.headers["location"] == f"/portal/community/demands/{row['id']}"
    detail = await client.get(response.headers["location"])
    assert "5,000–10,000.50 元" in detail.text and "提交审核" in detail.text and "需求已保存为草稿" in detail.text


async def test_field_errors_are_the_apis_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    _, account = await builders.community()
    await signed_in(client, account.principal.username)
    before = await row_counts()

    typed = {**GOOD, "title": "老", "budget_min_yuan": "五千", "expected_beneficiaries": "很多", "field": ""}
    schema = await _post(client, "/portal/community/demands/new", typed, "/portal/community/demands/new")
    assert schema.status_code == 422
    assert 'id="title-error">至少 2 个字符<' in schema.text
    assert 'id="budget_min_yuan-error">金额应为数字（元），最多两位小数<' in schema.text
    assert 'id="expected_beneficiaries-error">应为整数<' in schema.text
    assert 'id="field-error"' in schema.text and 'value="五千"' in schema.text

    rules = {**GOOD, "period_end": "2026-12-01", "field": "rural_urban", "budget_max_yuan": ""}
    service = await _post(client, "/portal/community/demands/new", rules, "/portal/community/demands/new")
    assert service.status_code == 422
    assert 'id="period_end-error">结束日期不能早于开始日期<' in service.text
    assert 'id="budget_max_yuan-error">预算须同时填写下限和上限' in service.text
    assert 'id="paired_area-error">城乡帮扶需求须填写对口地区<' in service.text

    unknown = await _post(client, "/portal/community/demands/new", {**GOOD, "tags": ["no_such_tag"]})
    assert unknown.status_code == 422 and "标签不存在：no_such_tag" in unknown.text
    assert await row_counts() == before


async def test_a_draft_is_edited_and_a_published_one_is_refused_by_the_service(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    draft = await builders.demand(community_id, status="draft", tags=[])
    published = await builders.demand(community_id, tags=[])
    await signed_in(client, account.principal.username)

    form = await client.get(f"/portal/community/demands/{draft}/edit")
    assert form.status_code == 200 and 'value="老年人智能手机培训"' in form.text
    edited = await _post(client, f"/portal/community/demands/{draft}/edit", {**GOOD, "title": "改过的名称"})
    assert edited.status_code == 303
    assert (await Demand.select(Demand.title).where(Demand.id == draft).first()) == {"title": "改过的名称"}

    before = await row_counts()
    refused = await _post(client, f"/portal/community/demands/{published}/edit", GOOD)
    assert refused.status_code == 409 and "不能修改" in refused.text
    assert await row_counts() == before
    page = await client.get(f"/portal/community/demands/{published}")
    assert f"/portal/community/demands/{published}/edit" not in page.text and "已发布，待对接" in page.text


async def test_submit_and_close_go_through_the_workflow(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    draft = await builders.demand(community_id, status="draft")
    await signed_in(client, account.principal.username)
    page = f"/portal/community/demands/{draft}"

    assert (await _post(client, f"{page}/submit", {}, page)).status_code == 303
    assert (await Demand.select(Demand.status).where(Demand.id == draft).first()) == {"status": "submitted"}
    again = await _post(client, f"{page}/submit", {}, page)
    assert again.status_code == 409 and 'role="alert"' in again.text and "待审核" in again.text

    closed = await _post(client, f"{page}/close", {"reason": "已由街道自行解决"}, page)
    assert closed.status_code == 303
    assert (await Demand.select(Demand.status).where(Demand.id == draft).first()) == {"status": "closed"}


async def test_another_communitys_demand_is_the_404_page_and_an_organisation_is_refused(
    client: httpx.AsyncClient,
) -> None:
    other, _ = await builders.community()
    theirs = await builders.demand(other)
    _, account = await builders.community()
    await signed_in(client, account.principal.username)
    before = await row_counts()

    for path in ("", "/edit", "/recommendations"):
        page = await client.get(f"/portal/community/demands/{theirs}{path}")
        assert page.status_code == 404 and NOT_FOUND in page.text and "老年人智能手机培训" not in page.text
    for step in ("submit", "close", "edit"):
        posted = await _post(client, f"/portal/community/demands/{theirs}/{step}", GOOD, "/portal/community/demands")
        assert posted.status_code == 404 and NOT_FOUND in posted.text
    assert await row_counts() == before

    client.cookies.clear()
    _, member = await factories.organisation()
    await signed_in(client, member.principal.username)
    refused = await client.get("/portal/community/demands")
    assert refused.status_code == 403 and FORBIDDEN in refused.text


async def test_the_community_chooses_among_applications(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    demand_id = await builders.demand(community_id)
    org_a, member_a = await factories.organisation(name="阳光社区服务社")
    org_b, member_b = await factories.organisation(name="彩虹志愿者协会")
    bid_a = await bids.apply(member_a.principal, demand_id, BidCreate(offer_id=await builders.offer(org_a)))
    await bids.apply(member_b.principal, demand_id, BidCreate(offer_id=await builders.offer(org_b), message="经验丰富"))
    await signed_in(client, account.principal.username)
    page = f"/portal/community/demands/{demand_id}"

    detail = await client.get(page)
    assert "阳光社区服务社" in detail.text and "彩虹志愿者协会" in detail.text and "经验丰富" in detail.text
    assert detail.text.count("选定该机构承接") == 2 and "待社区选择" in detail.text

    chosen = await _post(client, f"/portal/community/bids/{bid_a.id}/choose", {}, page)
    assert chosen.status_code == 303 and chosen.headers["location"] == page
    order = await MatchOrder.select().where(MatchOrder.demand == demand_id).first()
    assert order is not None and order["organisation"] == org_a and order["status"] == "matched"
    after = await client.get(page)
    assert "已选定" in after.text and f"/portal/community/orders/{order['id']}" in after.text
    statuses = {r["status"] for r in await DemandBid.select(DemandBid.status).where(DemandBid.demand == demand_id)}
    assert statuses == {"chosen", "not_chosen"}  # the demand wants one: the service passed the other over

    client.cookies.clear()
    _, stranger = await builders.community()
    await signed_in(client, stranger.principal.username)
    foreign = await _post(client, f"/portal/community/bids/{bid_a.id}/choose", {}, "/portal/community/demands")
    assert foreign.status_code == 404 and NOT_FOUND in foreign.text


async def test_recommendations_show_each_score_term_in_chinese(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    demand_id = await builders.demand(community_id)
    org_id, _ = await factories.organisation(name="阳光社区服务社")
    await builders.offer(org_id, title="银龄数字课堂")
    await signed_in(client, account.principal.username)

    page = await client.get(f"/portal/community/demands/{demand_id}/recommendations")
    assert page.status_code == 200
    assert "银龄数字课堂" in page.text and "阳光社区服务社" in page.text
    for label in ("标签重合", "领域一致", "距离", "评估等级", "履约记录", "剩余承接能力", "价格匹配"):
        assert f'<th scope="row">{label}</th>' in page.text


async def test_a_community_account_without_a_community_is_refused(client: httpx.AsyncClient) -> None:
    lone = await factories.user(Role.community)
    await signed_in(client, lone.principal.username)
    page = await client.get("/portal/community/demands/new")
    assert page.status_code == 403 and "该账户未关联社区" in page.text


async def test_every_community_page_refuses_other_roles_and_huge_ids_are_the_404(client: httpx.AsyncClient) -> None:
    community_id, account = await builders.community()
    demand_id = await builders.demand(community_id)
    pages = [
        "/portal/community/demands",
        "/portal/community/demands/new",
        f"/portal/community/demands/{demand_id}",
        f"/portal/community/demands/{demand_id}/recommendations",
        "/portal/community/demands/import",
        "/portal/community/demands/import/template",
        "/portal/community/orders",
        "/portal/community/cases",
    ]
    for role in (Role.applicant, Role.expert, Role.officer):
        client.cookies.clear()
        await signed_in(client, (await factories.user(role)).principal.username)
        for path in pages:
            refused = await client.get(path)
            assert refused.status_code == 403 and FORBIDDEN in refused.text, (role, path)

    client.cookies.clear()
    await signed_in(client, account.principal.username)
    for path in ("demands/9999999999", "demands/9999999999/edit", "orders/9999999999", "cases/9999999999"):
        page = await client.get(f"/portal/community/{path}")
        assert page.status_code == 404 and NOT_FOUND in page.text, path
