"""Demo data for 聚力计划, built through the same services as production: two street accounts and a street's demand
list, imported from xlsx and published. (The rest of the path — session, 接单, delivery, evaluation, case,
replication — follows on branch i13-e-full, once the offer, session and order services are on main.)

The whole path, when complete:

新华路街道 (长宁区) imports its demand list from xlsx → the district's officer publishes it → 上海阳光社区公益服务社
offers a service, approved → a matching session is opened, previewed (the solver) and published → the organisation
接单, delivers (records, a photo), the street confirms and evaluates → the officer promotes the order to a case and
publishes it → 花木街道 (浦东新区) replicates the case into a draft demand of its own. The other two demands stay
published, left unmatched by the session with their reasons, so every list has something to show.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from app.auth.principal import Principal
from app.auth.tables import Role
from app.reference import District
from app.timezone import today_shanghai

# The community accounts of app.demo.DEMO_LOGINS (same passwords), with their community.
COMMUNITY_LOGINS = [
    ("xinhua", "xinhua-pass-2026", "新华路街道办事处", District.changning, "新华路街道"),
    ("huamu", "huamu-pass-2026", "花木街道办事处", District.pudong, "花木街道"),
]

DEMO_TAGS = [("elderly", "为老服务"), ("volunteering", "志愿服务"), ("culture", "文化活动"), ("children", "儿童关爱")]


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
        communities,
        demand_import,
        demands,
        tags,
    )
    from programmes.matching.schemas_demand import CommunityAccountCreate, CommunityCreate, TagCreate
    from programmes.matching.tables import CommunityLevel, MatchingTag

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
    xinhua = accounts["xinhua"]

    report = await demand_import.import_list(xinhua, _demand_list(), dry_run=False)
    assert report.created == 3, report.errors
    for demand_id in report.demand_ids:
        await demands.submit(xinhua, demand_id)
        await demands.publish(officer, demand_id)
