"""站内通知 (every role), 资助协议 (read with the payment plan in 元, sign after a confirmation) and 收款账户 (masked,
with the verification state; the API's checks and messages next to the fields): errors change nothing, another
organisation's object is the uniform 404, an expert or community account gets the refusal page."""

from __future__ import annotations

import httpx

from app.auth.tables import Role
from app.notifications.service import notify_user
from app.notifications.tables import Notification
from app.portal.errors import FORBIDDEN, NOT_FOUND
from programmes.agreements.tables import Agreement
from programmes.payees.tables import BankAccount
from tests import factories
from tests.factories.funding import funded
from tests.factories.portal import csrf_token, signed_in
from tests.factories.world import build_world, row_counts


async def test_notifications_newest_first_unread_marked_counted_in_the_header_and_marked_read(
    client: httpx.AsyncClient,
) -> None:
    _, member = await factories.organisation()
    stranger = await factories.user(Role.expert)
    await notify_user(member.id, "status_change", "申报已提交", "您的申报已提交。", "t:portal:1")
    await notify_user(member.id, "status_change", "申报已退回修改", "请补充预算。", "t:portal:2")
    await notify_user(stranger.id, "status_change", "他人的通知", "", "t:portal:3")
    await signed_in(client, member.principal.username)

    page = await client.get("/portal/notifications")
    assert page.status_code == 200
    assert page.text.index("申报已退回修改") < page.text.index("申报已提交") and "他人的通知" not in page.text
    assert page.text.count('<span class="tag">未读</span>') == 2
    assert '<span class="badge">2<span class="visually-hidden"> 条未读</span>' in page.text
    newest = await Notification.select(Notification.id).where(Notification.dedupe_key == "t:portal:2").first()
    theirs = await Notification.select(Notification.id).where(Notification.dedupe_key == "t:portal:3").first()
    assert newest is not None and theirs is not None
    token = await csrf_token(client, "/portal/notifications")

    marked = await client.post(f"/portal/notifications/{newest['id']}/read", data={"csrf_token": token})
    assert marked.status_code == 303
    home = await client.get("/portal/")
    assert '<span class="badge">1<' in home.text and "已标为已读" in home.text
    assert (await client.get("/portal/notifications")).text.count('<span class="tag">未读</span>') == 1

    before = await row_counts()
    refused = await client.post(f"/portal/notifications/{theirs['id']}/read", data={"csrf_token": token})
    assert refused.status_code == 404 and NOT_FOUND in refused.text
    unread_theirs = await Notification.select(Notification.read_at).where(Notification.id == theirs["id"]).first()
    assert unread_theirs is not None and unread_theirs["read_at"] is None and await row_counts() == before

    client.cookies.clear()
    await signed_in(client, stranger.principal.username)  # an expert uses the same page
    mine = await client.get("/portal/notifications")
    assert mine.status_code == 200 and "他人的通知" in mine.text and "申报已提交" not in mine.text


async def test_the_agreement_shows_its_plan_in_yuan_and_is_signed_after_the_confirmation(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    project = await funded(client, world)
    agreement_id = project["agreement_id"]
    await signed_in(client, world.applicant.principal.username)

    listing = await client.get("/portal/agreements")
    assert listing.status_code == 200 and f'href="/portal/agreements/{agreement_id}"' in listing.text
    assert "社区助餐" in listing.text and "10,000.00 元" in listing.text and "待机构签署" in listing.text
    page = await client.get(f"/portal/agreements/{agreement_id}")
    assert page.status_code == 200
    for text in ("3,000.00 元", "4,000.00 元", "协议生效后拨付", "第 1 期中期报告验收通过后拨付", "待满足拨付条件"):
        assert text in page.text, text
    assert "活动费用" in page.text and "6,000.00 元" in page.text and project["d1"].isoformat() in page.text
    assert "draft" not in page.text and "on_signing" not in page.text

    path, token = (
        f"/portal/agreements/{agreement_id}/sign",
        await csrf_token(client, f"/portal/agreements/{agreement_id}"),
    )
    before = await row_counts()
    unconfirmed = await client.post(path, data={"csrf_token": token, "signer_name": "王敏"})
    assert unconfirmed.status_code == 422 and 'id="confirm-error">请先勾选确认' in unconfirmed.text
    short = await client.post(path, data={"csrf_token": token, "signer_name": "王", "confirm": "yes"})
    assert short.status_code == 422 and 'id="signer_name-error">至少 2 个字符<' in short.text
    assert await row_counts() == before

    signed = await client.post(path, data={"csrf_token": token, "signer_name": "王敏", "confirm": "yes"})
    assert signed.status_code == 303
    row = await Agreement.select(Agreement.status, Agreement.signer_name).where(Agreement.id == agreement_id).first()
    assert row == {"status": "signed", "signer_name": "王敏"}
    after = await client.get(f"/portal/agreements/{agreement_id}")
    assert "协议已签署，待主管部门会签" in after.text and "机构已签署，待主管部门会签" in after.text
    assert "确认签署</button>" not in after.text

    again = await client.post(path, data={"csrf_token": token, "signer_name": "李华", "confirm": "yes"})
    assert again.status_code == 409 and 'role="alert"' in again.text


async def test_another_organisations_agreement_is_the_404_and_other_roles_are_refused(
    client: httpx.AsyncClient,
) -> None:
    world = await build_world()
    agreement_id = (await funded(client, world))["agreement_id"]
    await signed_in(client, world.other_applicant.principal.username)
    token = await csrf_token(client, "/portal/agreements")
    before = await row_counts()
    assert "暂无资助协议" in (await client.get("/portal/agreements")).text
    for response in (
        await client.get(f"/portal/agreements/{agreement_id}"),
        await client.post(
            f"/portal/agreements/{agreement_id}/sign",
            data={"csrf_token": token, "signer_name": "王敏", "confirm": "yes"},
        ),
        await client.post(f"/portal/agreements/{agreement_id}/sign", data={"csrf_token": token, "signer_name": "王敏"}),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text
    assert await row_counts() == before
    for user in (world.expert, world.community):
        client.cookies.clear()
        await signed_in(client, user.principal.username)
        for path in ("/portal/agreements", f"/portal/agreements/{agreement_id}", "/portal/bank-accounts"):
            refused = await client.get(path)
            assert refused.status_code == 403 and FORBIDDEN in refused.text, path


async def test_a_bank_account_is_asked_for_with_the_apis_checks_and_shown_masked(client: httpx.AsyncClient) -> None:
    org_id, member = await factories.organisation(name="长宁区阳光睦邻服务中心")
    other_id, _ = await factories.organisation()
    await signed_in(client, member.principal.username)
    start = await client.get("/portal/bank-accounts")
    assert start.status_code == 303 and start.headers["location"] == f"/portal/organisations/{org_id}/bank-accounts"
    path = f"/portal/organisations/{org_id}/bank-accounts"
    page = await client.get(path)
    assert "尚未登记收款账户" in page.text and 'value="长宁区阳光睦邻服务中心"' in page.text  # the only name accepted
    token = await csrf_token(client, path)
    before = await row_counts()

    wrong = await client.post(
        path,
        data={"csrf_token": token, "account_name": "别的单位", "bank_name": "上海银行", "account_number": "12ab"},
    )
    assert wrong.status_code == 422
    assert 'id="account_name-error">户名须与登记名称「长宁区阳光睦邻服务中心」一致<' in wrong.text
    assert 'id="account_number-error">账号须为 8–32 位数字<' in wrong.text and 'value="别的单位"' in wrong.text
    empty = await client.post(
        path, data={"csrf_token": token, "account_name": "", "bank_name": "", "account_number": ""}
    )
    assert empty.status_code == 422 and 'id="bank_name-error"' in empty.text
    assert await row_counts() == before

    good = {"csrf_token": token, "account_name": "长宁区阳光睦邻服务中心", "bank_name": "上海银行长宁支行"}
    created = await client.post(path, data={**good, "account_number": "6222 0000 1234 5678"})
    assert created.status_code == 303
    listed = await client.get(path)
    assert "****5678" in listed.text and "6222000012345678" not in listed.text and "6222 0000" not in listed.text
    assert "待核验" in listed.text and "账户已提交，待主管部门核验" in listed.text
    assert await BankAccount.count().where(BankAccount.organisation == org_id) == 1

    before = await row_counts()
    pending = await client.post(path, data={**good, "account_number": "6222000099998888"})
    assert pending.status_code == 409 and "已有待核验的账户申请" in pending.text and 'role="alert"' in pending.text
    for response in (
        await client.get(f"/portal/organisations/{other_id}/bank-accounts"),
        await client.post(f"/portal/organisations/{other_id}/bank-accounts", data={**good, "account_number": "12"}),
        await client.post(
            f"/portal/organisations/{other_id}/bank-accounts", data={**good, "account_number": "6222000099998888"}
        ),
    ):
        assert response.status_code == 404 and NOT_FOUND in response.text
    assert await row_counts() == before
