"""Demo data for 聚力计划: the whole path, built through the same services as production.

新华路街道 (长宁区) imports its demand list from xlsx → the district's officer publishes it → 上海阳光社区公益服务社
offers a service, approved → a matching session is opened, previewed (the solver) and published → the organisation
接单, delivers (records, a photo), the street confirms and evaluates → the officer promotes the order to a case and
publishes it → 花木街道 (浦东新区) replicates the case into a draft demand of its own. The other two demands stay
published, left unmatched by the session with their reasons, so every list has something to show.
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationMember
from app.reference import District
from app.timezone import today_shanghai

# The community accounts of app.demo.DEMO_LOGINS (same passwords), with their community.
COMMUNITY_LOGINS = [
    ("xinhua", "xinhua-pass-2026", "新华路街道办事处", District.changning, "新华路街道"),
    ("huamu", "huamu-pass-2026", "花木街道办事处", District.pudong, "花木街道"),
]

DEMO_TAGS = [("elderly", "为老服务"), ("volunteering", "志愿服务"), ("culture", "文化活动"), ("children", "儿童关爱")]


def _png() -> bytes:
    """A 1×1 PNG (a delivery photo stand-in that passes the content check)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xcc\x66"))
        + chunk(b"IEND", b"")
    )


def _demand_list() -> bytes:
    """新华路街道's list in the import template's columns (three rows)."""
    from programmes.matching.demand_import import template

    start = today_shanghai()
    end = start + timedelta(days=120)
    book = load_workbook(BytesIO(template()))
    sheet = book.active
    assert sheet is not None
    sheet.delete_rows(2)
    rows = [
        ["社区治理", "为老服务", "老年人智能手机课堂", "每周一次，在社区活动室教老年人用手机挂号、出行、防诈骗。",
         "长宁区", "新华路街道", "", "社区老年人", 60, start, end, "", "", 1, "否", "李老师", "021-62801234"],
        ["文体活动", "文化活动", "社区邻里文化节", "组织邻里才艺展演和亲子手工，增进邻里交往。", "长宁区",
         "新华路街道", "", "社区居民", 300, start, end, 20000, 50000, 1, "是", "李老师", "021-62801234"],
        ["民生服务", "儿童关爱", "双职工家庭暑期托管", "为双职工家庭小学生提供暑期看护与课业辅导。", "长宁区",
         "新华路街道", "", "小学生", 40, start, end, 30000, 80000, 1, "否", "李老师", "021-62801234"],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def load_matching_demo(officer: Principal) -> None:
    from programmes.matching import (
        bids,
        cases,
        communities,
        delivery,
        delivery_files,
        demand_import,
        demands,
        evaluation,
        offers,
        orders,
        replication,
        sessions,
        tags,
    )
    from programmes.matching.schemas_case import CasePromote, CaseReplicate
    from programmes.matching.schemas_demand import CommunityAccountCreate, CommunityCreate, TagCreate
    from programmes.matching.schemas_offer import ServiceOfferCreate, ServiceOfferUpdate
    from programmes.matching.schemas_order import BidCreate, DeliveryRecordCreate, EvaluationCreate
    from programmes.matching.schemas_session import SessionCreate
    from programmes.matching.tables import CommunityLevel, MatchingTag, MatchOrder

    org = await Organisation.select(Organisation.id).where(Organisation.name == "上海阳光社区公益服务社").first()
    assert org is not None
    organisation_id = int(org["id"])
    member = await OrganisationMember.select(OrganisationMember.user).where(
        OrganisationMember.organisation == organisation_id
    )
    sunshine = Principal(member[0]["user"], "sunshine", Role.applicant, None)
    # The migration seeds these tags; a database emptied since (the tests') gets them again through the service.
    for code, label in DEMO_TAGS:
        if not await MatchingTag.exists().where(MatchingTag.code == code):
            await tags.create_tag(officer, TagCreate(code=code, label_zh=label))
    accounts: dict[str, Principal] = {}
    for n, (username, password, name, district, street) in enumerate(COMMUNITY_LOGINS):
        community = await communities.create_community(
            officer, CommunityCreate(name=name, level=CommunityLevel.street, district=district, street=street)
        )
        account = await communities.create_account_for(
            officer,
            community.id,
            CommunityAccountCreate(username=username, password=password, display_name=name, mobile=f"1390000{n:04d}"),
        )
        accounts[username] = Principal(account.user_id, username, Role.community, None)
    xinhua, huamu = accounts["xinhua"], accounts["huamu"]

    report = await demand_import.import_list(xinhua, _demand_list(), dry_run=False)
    assert report.created == 3, report.errors
    for demand_id in report.demand_ids:
        await demands.submit(xinhua, demand_id)
        await demands.publish(officer, demand_id)

    offer_body = ServiceOfferCreate(
        organisation_id=organisation_id,
        field="governance",
        tags=["elderly", "volunteering"],
        title="银龄数字课堂",
        description="志愿者一对一辅导老年人使用智能手机，含防诈骗提醒。",
        districts_served=[District.changning],
        capacity=2,
    )
    offer = await offers.create(sunshine, offer_body)
    await offers.submit(sunshine, offer.id)
    await offers.approve(officer, offer.id)
    # Edited after approval: version 1 is kept (OfferVersion), what orders agreed to stays readable.
    content = {k: v for k, v in offer_body.model_dump().items() if k in ServiceOfferUpdate.model_fields}
    await offers.update(sunshine, offer.id, ServiceOfferUpdate(**{**content, "capacity": 3}))

    session = await sessions.create(
        officer, SessionCreate(title="2026 年长宁区聚力计划交流对接会", district=District.changning)
    )
    await sessions.open_session(officer, session.id)
    await sessions.preview(officer, session.id)
    await sessions.publish(officer, session.id)

    # The organisation also applies directly (申请承接) to the culture festival; the street has yet to choose.
    await bids.apply(
        sunshine, report.demand_ids[1], BidCreate(offer_id=offer.id, message="我们在本街道已开展同类活动两年")
    )
    order_id = await MatchOrder.select(MatchOrder.id).where(MatchOrder.session == session.id).first()
    assert order_id is not None, "the session matched the digital classroom to the smartphone demand"
    taken = int(order_id["id"])
    await orders.accept(sunshine, taken)
    await orders.start_delivery(sunshine, taken)
    first = await delivery.add_record(
        sunshine,
        taken,
        DeliveryRecordCreate(
            delivered_on=today_shanghai(), activity="第一次手机课堂：挂号与出行软件", beneficiaries_served=32
        ),
    )
    await delivery.add_record(
        sunshine,
        taken,
        DeliveryRecordCreate(
            delivered_on=today_shanghai(), activity="第二次手机课堂：识别电信诈骗", beneficiaries_served=28
        ),
    )
    photo = await delivery_files.upload(sunshine, taken, first.id, "课堂现场.png", _png())
    await delivery.confirm(xinhua, taken)
    await evaluation.evaluate(
        xinhua,
        taken,
        EvaluationCreate(
            ratings={"quality": 5, "timeliness": 5, "communication": 4, "effect": 5},
            comment="老人们反响很好，希望继续开展",
        ),
    )
    await evaluation.respond(sunshine, taken, "感谢社区支持，下一期将增加防诈骗内容。")

    case = await cases.promote(
        officer,
        CasePromote(
            order_id=taken,
            title="银龄数字课堂走进新华路街道",
            summary="社会组织志愿者每周到社区活动室，一对一辅导老年人使用智能手机就医、出行，并提醒防范电信诈骗。",
            outcomes="两次课堂服务 60 人次；老人能独立完成线上挂号。",
            photo_ids=[photo.id],
        ),
    )
    await cases.publish(officer, case.id)
    await replication.replicate(huamu, case.id, CaseReplicate())

    # Waiting for the street (the portal's community journey, docs/portal.md): the summer day-care demand's order is
    # delivered once and 新华路街道 has still to confirm the delivery and evaluate it.
    applied = await bids.apply(
        sunshine, report.demand_ids[2], BidCreate(offer_id=offer.id, message="志愿者均持有儿童看护培训证书")
    )
    chosen = await bids.choose(xinhua, applied.id)
    assert chosen.order_id is not None
    await orders.accept(sunshine, chosen.order_id)
    await orders.start_delivery(sunshine, chosen.order_id)
    await delivery.add_record(
        sunshine,
        chosen.order_id,
        DeliveryRecordCreate(
            delivered_on=today_shanghai(), activity="暑期托管第一周：课业辅导与安全教育", beneficiaries_served=36
        ),
    )
