"""Row factories built on the real service functions, so test data obeys the same rules as production data.

Every builder, fixture and assertion more than one test module uses lives in this package, never in a test module
(tests/core/test_test_layout.py): here the people, organisations, rounds and awards (``from tests import
factories``); by room ``world`` (the API tests' small world), ``http`` (answer assertions), ``applications``,
``review``, ``notice``, ``money``, ``money_world``, ``funding``, ``admin`` and ``admin_http`` (admin sessions and
form helpers), ``browser`` (granian + Chromium fixtures), ``every_table``, ``snapshots``, ``smtp``, ``worker`` (a
real arq burst) and ``owner`` (statements only the database owner may run).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Role
from app.auth.tokens import issue_pair
from app.organisations.credit_code import TYPE_CHARACTER, check_character
from app.organisations.schemas import OrganisationRegistration
from app.organisations.service import register
from app.organisations.tables import OrganisationType
from app.reference import District

_counter = itertools.count(1)

FORM = {
    "type": "object",
    "required": ["summary", "beneficiaries"],
    "properties": {
        "summary": {"type": "string", "title": "项目简介", "minLength": 10},
        "beneficiaries": {"type": "integer", "title": "受益人数", "minimum": 1},
        "contact_person": {"type": "string", "title": "联系人", "identifying": True},
    },
}
CRITERIA = [
    {"code": "innovation", "name": "创新性", "weight": 40, "max_score": 100},
    {"code": "feasibility", "name": "可行性", "weight": 60, "max_score": 100},
]
PROGRAMME_NAMES = {"contest": "公益创新创业大赛", "support_plan": "沪社星耀", "matching": "聚力计划"}
GOOD_ANSWERS = {"summary": "为社区独居老人提供助餐与陪伴服务", "beneficiaries": 120, "contact_person": "张三"}


def credit_code(serial: int, org_type: OrganisationType = OrganisationType.social_service_institution) -> str:
    """A valid code whose type character (GB 32100 character 2) fits ``org_type``."""
    body = f"5{TYPE_CHARACTER[org_type.value]}310105MJ{serial:07d}"
    return body + check_character(body)


def wrong_check_character(code: str) -> str:
    """``code`` with any check character but its real one (a fixed "0" is the real one for some serials)."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


class User:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        tokens = issue_pair(principal.user_id, principal.username, principal.role.value, principal.district)
        self.headers = {"Authorization": f"Bearer {tokens.access_token}"}
        self.refresh_token = tokens.refresh_token

    @property
    def id(self) -> int:
        return self.principal.user_id


async def user(role: Role, district: District | None = None, username: str | None = None) -> User:
    name = username or f"{role.value}{next(_counter)}"
    user_id = await create_account(username=name, password="password-123", role=role, district=district)
    return User(Principal(user_id, name, role, district.value if district else None))


async def second_officer(first: Principal) -> Principal:
    """Another officer of the same scope: four-eyes (双人复核) needs one to build a batch (or countersign first)
    and a different one to approve it (or countersign second)."""
    district = District(first.district) if first.district else None
    return (await user(first.role if first.role is Role.admin else Role.officer, district)).principal


async def approve_as_second_officer(builder: Principal, batch_id: int) -> dict[str, Any]:
    """Approve a batch the way production must: by an officer other than its builder."""
    from programmes.disbursements.service import approve_batch

    return (await approve_batch(await second_officer(builder), batch_id)).model_dump()


async def organisation(
    district: District = District.changning,
    org_type: OrganisationType = OrganisationType.social_service_institution,
    custodian_id: int | None = None,
    name: str | None = None,
) -> tuple[int, User]:
    """An organisation and its first applicant member. A filed group's ``custodian_id`` is made a designated street
    service centre first if it is not one yet (as an officer would), so tests can use any institution."""
    n = next(_counter)
    registered = org_type is not OrganisationType.filed_community_group
    if custodian_id is not None and not registered:
        await designate_centre(custodian_id)
    row = await register(
        OrganisationRegistration(
            username=f"org{n}",
            password="password-123",
            email=f"org{n}@example.org",
            mobile=f"139{n:08d}",
            name=name or f"测试社会组织{n}",
            org_type=org_type,
            credit_code=credit_code(n, org_type) if registered else None,
            district=district,
            custodian_id=custodian_id,
        )
    )
    member = await user_for(row.id)
    return row.id, member


async def designate_centre(organisation_id: int, street: str | None = None) -> str:
    """Designate an institution as a street service centre through the service (a city officer's act); returns the
    street it serves. Each gets a street of its own unless one is given."""
    from app.organisations.custody import designate
    from app.organisations.schemas import ServiceCentreDesignation
    from app.organisations.tables import Organisation

    row = await Organisation.select(Organisation.serves_street).where(Organisation.id == organisation_id).first()
    assert row is not None
    if row["serves_street"] is not None:
        return str(row["serves_street"])
    officer = await user(Role.officer)
    street = street or f"测试街道{next(_counter)}"
    await designate(officer.principal, organisation_id, ServiceCentreDesignation(street=street, reason="测试数据"))
    return street


async def user_for(organisation_id: int) -> User:
    from app.organisations.tables import OrganisationMember

    member = (
        await OrganisationMember.select(OrganisationMember.user, OrganisationMember.user.username)
        .where(OrganisationMember.organisation == organisation_id)
        .first()
    )
    assert member is not None
    return User(Principal(member["user"], member["user.username"], Role.applicant, None))


async def contest_round(
    officer: User,
    *,
    district: District | None = None,
    closes_in: timedelta = timedelta(days=7),
    blind: bool = True,
    kind: str = "contest",
    form_schema: dict[str, Any] | None = None,
    **round_options: Any,
) -> dict[str, Any]:
    """Programme → edition → open round, created by ``officer`` through the services (``FORM`` unless given)."""
    from app.timezone import now_utc
    from programmes.catalogue.schemas import CriterionIn, EditionCreate, ProgrammeCreate, RoundCreate
    from programmes.catalogue.service import create_edition, create_programme, create_round, open_round
    from programmes.tables import ProgrammeKind

    programme = await create_programme(
        officer.principal,
        ProgrammeCreate(name=PROGRAMME_NAMES[kind], kind=ProgrammeKind(kind), scope_district=district),
    )
    edition = await create_edition(officer.principal, programme.id, EditionCreate(year=2026, title="2026"))
    now = now_utc()
    created = await create_round(
        officer.principal,
        edition.id,
        RoundCreate(
            name="初赛",
            opens_at=now - timedelta(hours=1),
            closes_at=now + closes_in,
            blind=blind,
            form_title="申报书",
            form_schema=form_schema or FORM,
            criteria=[CriterionIn(**c) for c in CRITERIA],
            **round_options,
        ),
    )
    opened = await open_round(officer.principal, created.id)
    return {**opened.model_dump(), "edition_id": edition.id, "programme_id": programme.id}


async def end_round_window(round_id: int) -> None:
    """Move a round's deadline into the past (tests cannot wait for real deadlines)."""
    from app.timezone import now_utc
    from programmes.tables import Round

    await Round.update({Round.closes_at: now_utc() - timedelta(seconds=1)}).where(Round.id == round_id)


async def end_notice_period(publication_id: int) -> None:
    """Move a 公示's period into the past (tests cannot wait seven days)."""
    from app.timezone import now_utc
    from scoring.tables import Publication

    await Publication.update(
        {Publication.starts_at: now_utc() - timedelta(days=7), Publication.ends_at: now_utc() - timedelta(seconds=1)}
    ).where(Publication.id == publication_id)


async def verified_bank_account(organisation_id: int, account_number: str | None = None) -> int:
    """A verified account for the organisation, reused when one exists: submitted by a member and verified by a
    city officer through the services, as in production."""
    from app.auth.tables import Account
    from app.organisations.tables import Organisation
    from programmes.payees.schemas import BankAccountCreate
    from programmes.payees.service import submit, verify
    from programmes.payees.tables import BankAccount

    existing = (
        await BankAccount.select(BankAccount.id)
        .where((BankAccount.organisation == organisation_id) & (BankAccount.status == "verified"))
        .first()
    )
    if existing is not None and account_number is None:
        return int(existing["id"])
    org = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    assert org is not None
    member = await user_for(organisation_id)
    account = await submit(
        member.principal,
        organisation_id,
        BankAccountCreate(
            account_name=org["name"],
            bank_name="上海银行测试支行",
            account_number=account_number or f"6222{organisation_id:012d}",
        ),
    )
    officer = (
        await Account.select(Account.user, Account.user._.username.as_alias("username"))
        .where((Account.role == Role.officer.value) & Account.district.is_null())
        .first()
    )
    if officer is None:
        verifier = (await user(Role.officer)).principal
    else:
        verifier = Principal(officer["user"], officer["username"], Role.officer, None)
    await verify(verifier, account.id)
    return account.id


async def signed_award(principal: Principal, data: Any) -> dict[str, Any]:
    """An award whose payee has a verified account and whose agreement the organisation has signed (awaiting the
    officer's countersignature)."""
    from app.db import engine
    from app.timezone import now_utc
    from app.workflow.engine import Actor, transition
    from programmes.agreements.tables import Agreement
    from programmes.awards.service import make_award, read_award

    award = (await make_award(principal, data)).model_dump()
    await verified_bank_account(award["payee_id"])
    async with engine().transaction():
        await transition(
            Agreement,
            award["agreement_id"],
            "sign",
            Actor(None, Role.applicant.value),
            values={"signer_name": "测试签署人", "signed_at": now_utc()},
        )
    return (await read_award(award["id"])).model_dump()


async def payable_award(principal: Principal, data: Any) -> dict[str, Any]:
    """An award whose agreement is signed and countersigned, so its on-signing tranches are released."""
    from programmes.agreements.service import countersign
    from programmes.awards.service import read_award

    award = await signed_award(principal, data)
    agreement = await countersign(principal, award["agreement_id"])
    if agreement.status == "countersigning":  # above the four-eyes amount: a second officer countersigns
        await countersign(await second_officer(principal), award["agreement_id"])
    return (await read_award(award["id"])).model_dump()


async def inspection_draw(
    principal: Principal, edition_id: int, projects: int, inspectors_per_project: int, redraw_reason: str = ""
) -> dict[str, Any]:
    """A 双随机 draw committed (server seed, hash recorded) and then executed, as an officer does it in two steps."""
    from programmes.draws.service import commit_draw, execute_draw

    committed = await commit_draw(principal, edition_id, projects, inspectors_per_project, redraw_reason)
    return (await execute_draw(principal, committed.id)).model_dump()
