"""聚力计划 matching sessions: officers in scope create, open, preview, adjust, publish, re-match, close."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.matching import sessions
from programmes.matching.schemas_session import (
    PairAdd,
    SessionCancel,
    SessionCreate,
    SessionPairRead,
    SessionRead,
    SessionUnmatchedRead,
)

BASE = "/sessions/{matching_session_id:int}"


class MatchingSessionController(Controller):
    path = "/matching"
    tags = ["matching"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/sessions", opt={"permission": STAFF}, summary="创建对接活动（交流对接活动或专场）")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[SessionCreate]) -> SessionRead:
        return await sessions.create(principal, data)

    @get("/sessions", opt={"permission": STAFF}, summary="范围内的对接活动，最新在前")
    async def list_sessions(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[SessionRead]]:
        return page_response(await sessions.list_for(principal, paging), request)

    @get(BASE, opt={"permission": STAFF}, summary="对接活动详情（预览对数、未匹配数、总分）")
    async def read(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.read_for(principal, matching_session_id)

    @post(f"{BASE}/open", opt={"permission": STAFF}, status_code=200, summary="开启对接")
    async def open_session(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.open_session(principal, matching_session_id)

    @post(
        f"{BASE}/preview",
        opt={"permission": STAFF},
        status_code=200,
        summary="计算最优对接方案并写入预览（替换此前的预览）",
    )
    async def preview(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.preview(principal, matching_session_id)

    @get(f"{BASE}/pairs", opt={"permission": STAFF}, summary="预览中的对接（含得分明细）")
    async def pairs(
        self,
        principal: CurrentPrincipal,
        matching_session_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[SessionPairRead]]:
        return page_response(await sessions.pairs(principal, matching_session_id, paging), request)

    @post(f"{BASE}/pairs", opt={"permission": STAFF}, summary="手工增加一对（按同样的规则与承接能力校验）")
    async def add_pair(
        self, principal: CurrentPrincipal, matching_session_id: FromPath[int], data: JSONBody[PairAdd]
    ) -> SessionPairRead:
        return await sessions.add_pair(principal, matching_session_id, data)

    @delete(f"{BASE}/pairs/{{session_pair_id:int}}", opt={"permission": STAFF}, summary="手工移除一对")
    async def remove_pair(
        self, principal: CurrentPrincipal, matching_session_id: FromPath[int], session_pair_id: FromPath[int]
    ) -> None:
        await sessions.remove_pair(principal, matching_session_id, session_pair_id)

    @get(f"{BASE}/unmatched", opt={"permission": STAFF}, summary="未匹配的需求及原因")
    async def unmatched(
        self,
        principal: CurrentPrincipal,
        matching_session_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[SessionUnmatchedRead]]:
        return page_response(await sessions.unmatched(principal, matching_session_id, paging), request)

    @post(
        f"{BASE}/publish",
        opt={"permission": STAFF},
        status_code=200,
        summary="发布对接结果：为每一对生成待接单的订单并通知机构与社区",
    )
    async def publish(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.publish(principal, matching_session_id)

    @post(
        f"{BASE}/rematch",
        opt={"permission": STAFF},
        status_code=200,
        summary="婉拒后重新对接：重新开放预览，已有订单保持不变",
    )
    async def rematch(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.rematch(principal, matching_session_id)

    @post(f"{BASE}/close", opt={"permission": STAFF}, status_code=200, summary="结束活动")
    async def close(self, principal: CurrentPrincipal, matching_session_id: FromPath[int]) -> SessionRead:
        return await sessions.close(principal, matching_session_id)

    @post(f"{BASE}/cancel", opt={"permission": STAFF}, status_code=200, summary="取消活动（须填写原因）")
    async def cancel(
        self, principal: CurrentPrincipal, matching_session_id: FromPath[int], data: JSONBody[SessionCancel]
    ) -> SessionRead:
        return await sessions.cancel(principal, matching_session_id, data.reason)
