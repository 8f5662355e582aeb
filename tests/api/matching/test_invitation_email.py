"""Community invitations delivered by e-mail (the notification e-mail job, a fake SMTP server): the invitee gets
the code, the officer does not; sending twice sends once; the code is erased from the row once sent. Without an
e-mail (or without mail configured) the officer is answered the code to pass on."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default

import httpx

from app.notifications import Notification
from app.notifications.email import send_pending_emails
from programmes.matching.tables import CommunityInvitation
from tests.factories.http import ok
from tests.factories.matching_demand import DemandWorld
from tests.factories.smtp import FakeSMTP
from tests.factories.worker import run_worker_burst

ADDRESS = "wang.zhuren@jsl.example.cn"


def invitation_url(w: DemandWorld) -> str:
    return f"/matching/communities/{w.community_id}/invitations"


async def test_an_emailed_invitation_reaches_the_invitee_once(
    client: httpx.AsyncClient, demand_world: DemandWorld, smtp: FakeSMTP, smtp_settings: None
) -> None:
    w = demand_world
    body = {"email": ADDRESS, "display_name": "王主任"}
    answer = ok(await client.post(invitation_url(w), json=body, headers=w.changning_officer.headers), 201)
    assert answer["delivery"] == "email" and answer["code"] is None  # the officer never sees the code

    await run_worker_burst()  # the send_notifications job the invitation staged
    assert await send_pending_emails() == 0  # a second run finds nothing left to send
    await run_worker_burst()
    [raw] = smtp.messages
    message = message_from_bytes(raw, policy=default)
    assert message["To"] == ADDRESS and "邀请您开通聚力计划社区账户" in message["Subject"]
    text = message.get_content()
    assert "王主任，您好" in text and "北京时间" in text and "/matching/community-invitations/accept" in text
    found = re.search(r"邀请码：\s+(\S+)", text)
    assert found, text
    code = found.group(1)

    [stored] = await Notification.select(Notification.user, Notification.address, Notification.email_body)
    assert stored == {"user": None, "address": ADDRESS, "email_body": None}  # the code left the database
    [invitation] = await CommunityInvitation.select(CommunityInvitation.token_hash)
    assert code not in invitation["token_hash"]
    accept = {"code": code, "username": "wang-zhuren", "password": "a-long-secret"}
    account = ok(await client.post("/matching/community-invitations/accept", json=accept), 201)
    assert account["community_id"] == w.community_id and account["display_name"] == "王主任"
    # Never listed in anyone's in-app notifications (it has no user).
    me = await client.post("/auth/login", json={"username": "wang-zhuren", "password": "a-long-secret"})
    mine = await client.get("/notifications/mine", headers={"Authorization": f"Bearer {ok(me)['access_token']}"})
    assert ok(mine) == []


async def test_without_an_email_the_officer_gets_the_code(
    client: httpx.AsyncClient, demand_world: DemandWorld, smtp: FakeSMTP, smtp_settings: None
) -> None:
    w = demand_world
    answer = ok(
        await client.post(invitation_url(w), json={"mobile": "13900003333"}, headers=w.city_officer.headers), 201
    )
    assert answer["delivery"] == "officer" and answer["code"]
    await run_worker_burst()
    assert smtp.messages == [] and await Notification.count() == 0


async def test_without_mail_configured_the_officer_gets_the_code(
    client: httpx.AsyncClient, demand_world: DemandWorld
) -> None:
    w = demand_world
    answer = ok(await client.post(invitation_url(w), json={"email": ADDRESS}, headers=w.city_officer.headers), 201)
    assert answer["delivery"] == "officer" and answer["code"]
    assert await Notification.count() == 0
