"""A world with something in every 一公开 dataset, seeded with personal data where people type it: accounts' mobiles,
e-mails and contact names, applications' contact persons, and phone / ID card / e-mail text inside an inspection
finding and a published case (the open-data tests of issue 15)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from piccolo.apps.user.tables import BaseUser

from app.auth.tables import Account
from app.reference import District
from programmes.draws.service import record_finding
from programmes.tables import Application
from tests import factories
from tests.factories import matching_cases
from tests.factories.feedback import ReviewedNotice, reviewed_notice
from tests.factories.http import ok
from tests.factories.money import Paid, paid_award
from tests.factories.notice import end_notice
from tests.factories.world import World

PHONE = "13812345678"
ID_CARD = "310105199001011234"
EMAIL = "wangwu.contact@example.com"
LANDLINE = "021-62345678"
PERSONAL_TEXT = f"联系电话 {PHONE}，座机 {LANDLINE}，身份证 {ID_CARD}，邮箱 {EMAIL}"
CONTACT_NAME = "欧阳联系人"


@dataclass
class OpenWorld:
    paid: Paid
    notice: ReviewedNotice
    draw_id: int
    case_id: int


async def open_world(client: httpx.AsyncClient, world: World) -> OpenWorld:
    paid = await paid_award(world)
    officer = world.city_officer.principal
    # People behind the accounts: a contact name on every account, a contact person in an application's answers.
    await Account.update({Account.display_name: CONTACT_NAME}, force=True)
    await Application.update({Application.answers: {**factories.GOOD_ANSWERS, "contact_person": CONTACT_NAME}}).where(
        Application.id == world.submitted_id
    )
    draw = await factories.inspection_draw(officer, world.round["edition_id"], 1, 1)
    drawn = draw["projects"][0]["award_id"]
    await record_finding(officer, draw["id"], drawn, f"资料齐全。{PERSONAL_TEXT}")
    notice = await reviewed_notice(client)
    await end_notice(notice.publication_id)
    ok(await client.post(f"/publications/{notice.publication_id}/finalise", headers=notice.officer.headers))
    order = await matching_cases.evaluated_order()
    case_officer = await matching_cases.officer(District.changning)
    body = {
        "order_id": order["order_id"],
        "title": "银龄数字课堂",
        "summary": f"志愿者每周到社区辅导老人使用智能手机。{PERSONAL_TEXT}",
        "outcomes": f"培训 12 次，咨询请联系 {EMAIL}",
    }
    case = ok(await client.post("/matching/cases", json=body, headers=case_officer.headers), 201)
    ok(await client.post(f"/matching/cases/{case['id']}/publish", headers=case_officer.headers))
    return OpenWorld(paid, notice, int(draw["id"]), int(case["id"]))


async def personal_values() -> set[str]:
    """Every personal value the database holds that open data must never show."""
    values = {PHONE, ID_CARD, EMAIL, LANDLINE, CONTACT_NAME}
    for user in await BaseUser.select(BaseUser.email, BaseUser.username):
        values |= {v for v in (user["email"], user["username"]) if v}
    for account in await Account.select(Account.mobile, Account.display_name):
        values |= {v for v in (account["mobile"], account["display_name"]) if v}
    for application in await Application.select(Application.answers).output(load_json=True):
        contact = (application["answers"] or {}).get("contact_person")
        if contact:
            values.add(contact)
    return values
