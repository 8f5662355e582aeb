"""聚力计划 pages in the admin: the sessions list, a session's preview adjusted and published, the moderation queue,
orders and cases — each action through the admin session and the services, each refusal changing nothing."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.matching.tables import Demand, MatchingCase, MatchOrder, SessionPair
from tests import factories
from tests.factories import matching_cases as cases
from tests.factories.admin import AdminFactory, AdminSession
from tests.factories.admin_pages import NOT_FOUND, post_form
from tests.factories.matching import community, demand, offer
from tests.factories.reader import user_of

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def _open_session(officer: AdminSession, district: District) -> tuple[int, int, int]:
    """A session of ``district`` opened by the officer with one published demand and one approved offer."""
    from programmes.matching import sessions
    from programmes.matching.schemas_session import SessionCreate

    await cases.tags("elderly")
    community_id, _ = await community(district)
    demand_id = await demand(community_id, title="独居老人助餐")
    organisation_id, _ = await factories.organisation(district)
    offer_id = await offer(organisation_id, title="银龄助餐服务")
    principal = user_of(officer).principal
    created = await sessions.create(principal, SessionCreate(title="长宁区对接会", district=district))
    await sessions.open_session(principal, created.id)
    return created.id, demand_id, offer_id


async def test_session_list_preview_adjust_and_publish(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    session_id, demand_id, offer_id = await _open_session(officer, District.changning)
    url = f"/admin/matching/sessions/{session_id}"
    listing = await officer.http.get("/admin/matching")
    assert listing.status_code == 200 and f'href="{url}"' in listing.text
    assert "长宁区对接会" in listing.text and "交流对接活动" in listing.text and "对接中" in listing.text
    previewed = await post_form(officer, url, action="preview")
    assert previewed.status_code == 303
    shown = await officer.http.get(previewed.headers["location"])
    assert "已重新计算对接预览" in shown.text and "独居老人助餐" in shown.text and "银龄助餐服务" in shown.text
    assert "标签重合" in shown.text  # the score explained term by term
    # Pairing by hand offers the offers serving the session's district, not another district's.
    xuhui_org, _ = await factories.organisation(District.xuhui)
    await offer(xuhui_org, title="徐汇社区服务")
    assert "徐汇社区服务" not in (await officer.http.get(url)).text
    pair = await SessionPair.select(SessionPair.id).where(SessionPair.session == session_id).first()
    assert pair is not None
    # Refusals: an unknown action, a pair without its demand, a second identical pair; nothing changes.
    before = await AuditEntry.count()
    for fields, message in (
        ({"action": "explode"}, "不支持的操作"),
        ({"action": "add", "offer_id": offer_id}, "须选择需求和服务项目"),
        ({"action": "add", "demand_id": demand_id, "offer_id": offer_id}, "已有足够的服务方"),
        ({"action": "remove", "pair_id": "x"}, "请选择要移除的配对"),
    ):
        refused = await post_form(officer, url, **fields)
        assert refused.status_code == 422 and message in refused.text, message
    assert (
        await AuditEntry.count() == before and await SessionPair.count().where(SessionPair.session == session_id) == 1
    )
    removed = await post_form(officer, url, action="remove", pair_id=pair["id"])
    assert removed.status_code == 303 and await SessionPair.count().where(SessionPair.session == session_id) == 0
    added = await post_form(officer, url, action="add", demand_id=demand_id, offer_id=offer_id)
    assert added.status_code == 303
    assert "官员手工增加" in (await officer.http.get(url)).text
    published = await post_form(officer, url, action="publish")
    assert published.status_code == 303 and await MatchOrder.count().where(MatchOrder.session == session_id) == 1
    assert "结果已发布" in (await officer.http.get(url)).text


async def test_district_officer_sees_only_their_sessions(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    session_id, _, _ = await _open_session(city, District.xuhui)
    changning = await admin_client(Role.officer, District.changning)
    assert f"/admin/matching/sessions/{session_id}" not in (await changning.http.get("/admin/matching")).text
    hidden = await changning.http.get(f"/admin/matching/sessions/{session_id}")
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    before = await AuditEntry.count()
    refused = await post_form(changning, f"/admin/matching/sessions/{session_id}", action="preview")
    assert refused.status_code == 404 and await AuditEntry.count() == before
    assert await SessionPair.count().where(SessionPair.session == session_id) == 0
    # Without the CSRF field the router refuses before the handler.
    forged = await changning.http.post(f"/admin/matching/sessions/{session_id}", data={"action": "preview"})
    assert forged.status_code == 403


async def test_demand_moderation_publish_and_reject(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer, District.changning)
    ours, _ = await community(District.changning)
    theirs, _ = await community(District.xuhui)
    first = await demand(ours, status="submitted", title="儿童课后托管")
    second = await demand(ours, status="submitted", title="社区花园营造")
    foreign = await demand(theirs, status="submitted", title="徐汇的需求")
    queue = await officer.http.get("/admin/matching/demands")
    assert "儿童课后托管" in queue.text and "徐汇的需求" not in queue.text and "长宁区" in queue.text
    refused = await post_form(officer, "/admin/matching/demands", action="reject", demand_id=second, reason=" ")
    assert refused.status_code == 422 and "须填写原因" in refused.text
    hidden = await post_form(officer, "/admin/matching/demands", action="publish", demand_id=foreign)
    assert hidden.status_code == 404 and NOT_FOUND in hidden.text
    statuses = {r["id"]: r["status"] for r in await Demand.select(Demand.id, Demand.status)}
    assert statuses[second] == "submitted" and statuses[foreign] == "submitted"
    done = await post_form(officer, "/admin/matching/demands", action="publish", demand_id=first)
    assert done.status_code == 303 and "需求已发布" in (await officer.http.get(done.headers["location"])).text
    rejected = await post_form(
        officer, "/admin/matching/demands", action="reject", demand_id=second, reason="预算不明确"
    )
    assert rejected.status_code == 303
    statuses = {r["id"]: r["status"] for r in await Demand.select(Demand.id, Demand.status)}
    assert statuses[first] == "published" and statuses[second] == "rejected"


async def test_orders_promote_and_publish_a_case(admin_client: AdminFactory) -> None:
    made = await cases.evaluated_order(District.changning)
    officer = await admin_client(Role.officer, District.changning)
    listing = await officer.http.get("/admin/matching/orders")
    assert listing.status_code == 200 and "已评价" in listing.text and "推荐为案例" in listing.text
    order_id = made["order_id"]
    short = await post_form(
        officer, "/admin/matching/orders", action="promote", order_id=order_id, title="x", summary=""
    )
    assert short.status_code == 422 and await MatchingCase.count() == 0
    xuhui = await admin_client(Role.officer, District.xuhui)
    hidden = await post_form(
        xuhui, "/admin/matching/orders", action="promote", order_id=order_id, title="案例", summary="简介"
    )
    assert hidden.status_code == 404 and await MatchingCase.count() == 0
    fields = {"title": "银龄数字课堂走进社区", "summary": "志愿者每周辅导老年人", "outcomes": "培训 12 次"}
    done = await post_form(officer, "/admin/matching/orders", action="promote", order_id=order_id, **fields)
    assert done.status_code == 303 and await MatchingCase.count() == 1
    case = await MatchingCase.select(MatchingCase.id).first()
    assert case is not None
    published = await post_form(officer, "/admin/matching/orders", action="publish_case", case_id=case["id"])
    assert published.status_code == 303
    shown = await officer.http.get(published.headers["location"])
    assert "案例已发布" in shown.text and "已推荐为案例" in shown.text and "撤下原因" in shown.text
    refused = await post_form(officer, "/admin/matching/orders", action="withdraw_case", case_id=case["id"], reason="")
    assert refused.status_code == 422 and "须填写原因" in refused.text and 'aria-invalid="true"' in refused.text
    withdrawn = await post_form(
        officer, "/admin/matching/orders", action="withdraw_case", case_id=case["id"], reason="照片未授权"
    )
    assert withdrawn.status_code == 303
    assert (await MatchingCase.select(MatchingCase.status).first()) == {"status": "withdrawn"}


async def test_session_flow_open_rematch_close(admin_client: AdminFactory) -> None:
    from programmes.matching import sessions
    from programmes.matching.schemas_session import SessionCreate
    from programmes.matching.tables import MatchingSession

    officer = await admin_client(Role.officer)
    created = await sessions.create(user_of(officer).principal, SessionCreate(title="全市交流对接会"))
    url = f"/admin/matching/sessions/{created.id}"

    async def status() -> str:
        row = await MatchingSession.select(MatchingSession.status).where(MatchingSession.id == created.id).first()
        assert row is not None
        return str(row["status"])

    assert "开启对接" in (await officer.http.get(url)).text and "全市" in (await officer.http.get(url)).text
    refused = await post_form(officer, url, action="close")  # a draft cannot be closed: the workflow says why
    assert refused.status_code == 422 and await status() == "draft"
    for action, after in (("open", "open"), ("publish", "published"), ("rematch", "open"), ("publish", "published")):
        done = await post_form(officer, url, action=action)
        assert done.status_code == 303 and await status() == after, action
    closed = await post_form(officer, url, action="close")
    assert closed.status_code == 303 and await status() == "closed"
    assert "对接活动已结束" in (await officer.http.get(closed.headers["location"])).text
