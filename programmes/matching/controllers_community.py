"""Routes for communities (and their accounts and invitations) and the tag vocabulary."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from app.auth.principal import COMMUNITIES, COMMUNITIES_AND_STAFF, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from app.reference import District
from programmes.matching import communities, tags
from programmes.matching.schemas_demand import (
    CommunityAccountCreate,
    CommunityAccountRead,
    CommunityCreate,
    CommunityRead,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    TagCreate,
    TagRead,
    TagUpdate,
)


class CommunityController(Controller):
    path = "/matching"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/communities", opt={"permission": STAFF}, summary="Create a community (街道/镇 or 居委/村委) in scope")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[CommunityCreate]) -> CommunityRead:
        return await communities.create_community(principal, data)

    @get(
        "/communities",
        opt={"permission": COMMUNITIES_AND_STAFF},
        summary="Communities in scope (a community account: its own)",
    )
    async def list_all(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        district: FromQuery[District | None] = None,
    ) -> Response[list[CommunityRead]]:
        return page_response(await communities.list_communities(principal, paging, district), request)

    @get("/communities/mine", opt={"permission": COMMUNITIES}, summary="The caller's own community")
    async def mine(self, principal: CurrentPrincipal) -> CommunityRead:
        return await communities.my_community(principal)

    @get("/communities/{community_id:int}", opt={"permission": COMMUNITIES_AND_STAFF}, summary="A community")
    async def read(self, principal: CurrentPrincipal, community_id: FromPath[int]) -> CommunityRead:
        return await communities.read_for(principal, community_id)

    @post(
        "/communities/{community_id:int}/accounts",
        opt={"permission": STAFF},
        summary="Open an account (role community) for a community in scope",
    )
    async def create_account(
        self, principal: CurrentPrincipal, community_id: FromPath[int], data: JSONBody[CommunityAccountCreate]
    ) -> CommunityAccountRead:
        return await communities.create_account_for(principal, community_id, data)

    @get(
        "/communities/{community_id:int}/accounts",
        opt={"permission": COMMUNITIES_AND_STAFF},
        summary="A community's accounts",
    )
    async def accounts(
        self, principal: CurrentPrincipal, community_id: FromPath[int], paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[CommunityAccountRead]]:
        return page_response(await communities.list_accounts(principal, community_id, paging), request)

    @post(
        "/communities/{community_id:int}/invitations",
        opt={"permission": STAFF},
        summary="Invite someone by e-mail or mobile: a one-time code (7 days), answered once to the officer",
    )
    async def invite(
        self, principal: CurrentPrincipal, community_id: FromPath[int], data: JSONBody[InvitationCreate]
    ) -> InvitationRead:
        return await communities.invite(principal, community_id, data)

    @post(
        "/community-invitations/accept",
        opt={"permission": PUBLIC},
        summary="Open a community account with an invitation code (single use)",
    )
    async def accept(self, data: JSONBody[InvitationAccept]) -> CommunityAccountRead:
        return await communities.accept_invitation(data)


class MatchingTagController(Controller):
    path = "/matching/tags"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt={"permission": PUBLIC}, summary="The tag vocabulary (active tags; all with include_inactive)")
    async def list_all(
        self,
        paging: Paging,
        request: Request[Any, Any, Any],
        include_inactive: Annotated[bool, Parameter(description="包括已停用的标签")] = False,
    ) -> Response[list[TagRead]]:
        return page_response(await tags.list_tags(paging, include_inactive=include_inactive), request)

    @post("/", opt={"permission": STAFF}, summary="Add a tag (city officers)")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[TagCreate]) -> TagRead:
        return await tags.create_tag(principal, data)

    @patch(
        "/{tag_id:int}", opt={"permission": STAFF}, summary="Rename a tag's label or (de)activate it (city officers)"
    )
    async def update(self, principal: CurrentPrincipal, tag_id: FromPath[int], data: JSONBody[TagUpdate]) -> TagRead:
        return await tags.update_tag(principal, tag_id, data)
