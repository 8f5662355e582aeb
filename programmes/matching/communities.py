"""Communities (街道/镇, 居委/村委) and their accounts: officers in the district's scope create them, or invite a
person with a one-time code; community users see only their own community.

The invitation code follows the password-reset style: 256 random bits, only the SHA-256 stored, expiring, and
claimed by one conditional UPDATE, so of concurrent uses of one code exactly one opens an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.query.functions.aggregate import Count

from app.access import load
from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, forbidden, invalid
from app.notifications.service import notify_address
from app.paging import Page, PageParams, fetch_page
from app.settings import get_settings
from app.timezone import now_utc, shown
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching.access import COMMUNITIES, community_of_user, scope_for
from programmes.matching.schemas_demand import (
    CommunityAccountCreate,
    CommunityAccountRead,
    CommunityCreate,
    CommunityRead,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
)
from programmes.matching.tables import Community, CommunityInvitation, CommunityMember

INVITATION_DAYS = 7


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def _read_many(rows: list[dict[str, Any]]) -> list[CommunityRead]:
    ids = [row["id"] for row in rows]
    counts: dict[int, int] = {}
    if ids:
        found = (
            await CommunityMember.select(CommunityMember.community, Count(alias="n"))
            .where(CommunityMember.community.is_in(ids))
            .group_by(CommunityMember.community)
        )
        counts = {int(r["community"]): int(r["n"]) for r in found}
    return [
        CommunityRead(
            id=row["id"],
            name=row["name"],
            level=row["level"],
            district=row["district"],
            street=row["street"],
            members=counts.get(row["id"], 0),
            created_at=row["created_at"],
        )
        for row in rows
    ]


async def read(community_id: int) -> CommunityRead:
    rows = await Community.select().where(Community.id == community_id)
    return (await _read_many([dict(rows[0])]))[0]


async def create_community(principal: Principal, data: CommunityCreate) -> CommunityRead:
    """Officer whose scope covers the district (city officers: any)."""
    if not principal.can_see_district(data.district):
        message = "只能在本区范围内创建社区"
        raise DomainError(
            "community_out_of_scope", message, 403, [FieldError("district", "community_out_of_scope", message)]
        )
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await Community.insert(
            Community(
                name=data.name,
                level=data.level,
                district=data.district,
                street=data.street,
                scope_district=data.district,
                created_by=principal.user_id,
            )
        ).returning(Community.id)
        community_id = int(rows[0]["id"])
        await uow.audit("community.create", "community", community_id, after=data.model_dump(mode="json"))
    return await read(community_id)


async def list_communities(
    principal: Principal, params: PageParams, district: str | None = None
) -> Page[CommunityRead]:
    where = list(await scope_for(principal, scope_column=Community.scope_district, community_column=Community.id))
    if district:
        where.append(Community.district == district)
    query = Community.select().order_by(Community.district).order_by(Community.street).order_by(Community.id)
    page = await fetch_page(Community, query, params, *where)
    return page.map(await _read_many(page.items))


async def read_for(principal: Principal, community_id: int) -> CommunityRead:
    await load(principal, Community, community_id, "reader")
    return await read(community_id)


async def my_community(principal: Principal) -> CommunityRead:
    community_id = await community_of_user(principal.user_id)
    if community_id is None:
        raise forbidden("该账户未关联社区", "no_community")
    return await read(community_id)


async def _add_member(community_id: int, user_id: int) -> None:
    await CommunityMember.insert(CommunityMember(community=community_id, user=user_id))


async def create_account_for(
    principal: Principal, community_id: int, data: CommunityAccountCreate
) -> CommunityAccountRead:
    """Officer in scope opens an account (role ``community``) that belongs to the community."""
    await load(principal, COMMUNITIES.table, community_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        user_id = await create_account(
            username=data.username,
            password=data.password,
            role=Role.community,
            display_name=data.display_name,
            email=data.email,
            mobile=data.mobile,
        )
        await _add_member(community_id, user_id)
        await uow.audit(
            "community.account_create", "community", community_id, after={"user_id": user_id, "username": data.username}
        )
    return CommunityAccountRead(
        user_id=user_id,
        username=data.username,
        display_name=data.display_name,
        mobile=data.mobile,
        community_id=community_id,
    )


async def list_accounts(principal: Principal, community_id: int, params: PageParams) -> Page[CommunityAccountRead]:
    await load(principal, Community, community_id, "reader")
    user: Any = CommunityMember.user
    query = CommunityMember.select(
        CommunityMember.id, CommunityMember.user, user.username.as_alias("username")
    ).order_by(CommunityMember.id)
    page = await fetch_page(CommunityMember, query, params, CommunityMember.community == community_id)
    user_ids = [row["user"] for row in page.items]
    accounts = {}
    if user_ids:
        found = await Account.select(Account.user, Account.display_name, Account.mobile).where(
            Account.user.is_in(user_ids)
        )
        accounts = {int(a["user"]): a for a in found}
    return page.map(
        [
            CommunityAccountRead(
                user_id=row["user"],
                username=row["username"],
                display_name=accounts.get(row["user"], {}).get("display_name", ""),
                mobile=accounts.get(row["user"], {}).get("mobile"),
                community_id=community_id,
            )
            for row in page.items
        ]
    )


async def invite(principal: Principal, community_id: int, data: InvitationCreate) -> InvitationRead:
    """Officer in scope invites someone by e-mail or mobile; only the code's hash is kept. With an e-mail (and mail
    configured) the code goes by e-mail only, through the notification e-mail job, and the officer never sees it;
    otherwise it is answered once, to the officer, who passes it on (by phone)."""
    if not data.email and not data.mobile:
        raise invalid("invitation_contact_required", "请填写受邀人的电子邮箱或手机号", "email")
    community = await load(principal, Community, community_id)
    code = secrets.token_urlsafe(32)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await CommunityInvitation.insert(
            CommunityInvitation(
                community=community_id,
                email=data.email or "",
                mobile=data.mobile or "",
                display_name=data.display_name,
                token_hash=_hash(code),
                expires_at=now_utc() + timedelta(days=INVITATION_DAYS),
                scope_district=community["scope_district"],
                created_by=principal.user_id,
            )
        ).returning(*CommunityInvitation.all_columns())
        row = rows[0]
        emailed = bool(data.email) and bool(get_settings().smtp_host)
        if emailed:
            await _send_invitation(row, community, code)
        await uow.audit(
            "community.invite",
            "community",
            community_id,
            after={"invitation_id": row["id"], "email": row["email"], "delivery": "email" if emailed else "officer"},
        )
    return InvitationRead(
        id=row["id"],
        community_id=community_id,
        email=row["email"],
        mobile=row["mobile"],
        expires_at=row["expires_at"],
        delivery="email" if emailed else "officer",
        code=None if emailed else code,
    )


async def _send_invitation(invitation: dict[str, Any], community: dict[str, Any], code: str) -> None:
    """The invitation e-mail (sent after commit by ``send_notifications``; the code is erased from the row once
    sent). One per invitation: keyed by its id."""
    greeting = f"{invitation['display_name']}，您好：" if invitation["display_name"] else "您好："
    expires = shown(invitation["expires_at"])
    await notify_address(
        invitation["email"],
        "community_invitation",
        f"邀请您开通聚力计划社区账户：{community['name']}",
        f"已向 {invitation['email']} 发送{community['name']}社区账户邀请。",
        f"community_invitation:{invitation['id']}",
        email_body=(
            f"{greeting}\n\n项目官员邀请您开通聚力计划（上海市社会组织服务供需对接）{community['name']}"
            f"（{community['street']}）的社区账户，用于发布社区需求清单、确认服务完成与评价。\n\n邀请码：\n\n{code}\n\n"
            f"请在 {expires:%Y-%m-%d %H:%M}（北京时间）前，通过 POST /matching/community-invitations/accept"
            " 提交邀请码、自设的用户名和密码开通账户；邀请码仅可使用一次。如您并未期待此邀请，请忽略本邮件。"
        ),
    )


async def accept_invitation(data: InvitationAccept) -> CommunityAccountRead:
    """Anyone holding a valid code opens their community account with it; the code then stops working."""
    if await BaseUser.exists().where(BaseUser.username == data.username):
        raise invalid("username_taken", "该用户名已被使用", "username")
    async with unit_of_work(Actor.system()) as uow:
        claimed = await CommunityInvitation.raw(
            "UPDATE community_invitation SET used_at = now() WHERE token_hash = {} AND used_at IS NULL"
            " AND expires_at > now() RETURNING id, community, email, mobile, display_name",
            _hash(data.code),
        )
        if not claimed:
            raise invalid("invitation_invalid", "邀请码无效、已使用或已过期，请联系项目官员重新邀请", "code")
        invitation = claimed[0]
        user_id = await create_account(
            username=data.username,
            password=data.password,
            role=Role.community,
            display_name=invitation["display_name"],
            email=invitation["email"] or None,
            mobile=invitation["mobile"] or None,
        )
        await _add_member(int(invitation["community"]), user_id)
        await CommunityInvitation.update({CommunityInvitation.accepted_by: user_id}).where(
            CommunityInvitation.id == invitation["id"]
        )
        await uow.audit(
            "community.invitation_accept", "community", int(invitation["community"]), after={"user_id": user_id}
        )
    return CommunityAccountRead(
        user_id=user_id,
        username=data.username,
        display_name=invitation["display_name"],
        mobile=invitation["mobile"] or None,
        community_id=int(invitation["community"]),
    )
