"""决赛路演 routes: the officer runs the session (draw, clock, vote, board, end), judges read their sheet and score
through the review routes (``/reviews/{id}/draft|submit``, within the window), any verified account votes once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage

from app.auth.principal import ANY_USER, EXPERTS, PUBLIC, STAFF, CurrentPrincipal, provide_principal
from app.auth.rate_limit import client_address
from app.paging import Paging, page_response
from app.settings import get_settings
from scoring.roadshow import board, clock, service, votes
from scoring.roadshow.schemas import (
    BoardRead,
    DrawRead,
    EndRead,
    JudgeSessionRead,
    JudgeSheet,
    PresentationRead,
    SessionCreate,
    SessionRead,
    VoteCreate,
    VoteRead,
)


class RoadshowController(Controller):
    tags = ["roadshow"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/rounds/{round_id:int}/roadshow",
        opt={"permission": STAFF},
        summary="Set up the final's roadshow: entries frozen, the order's seed committed (only its SHA-256 shown)",
    )
    async def commit(
        self, principal: CurrentPrincipal, round_id: FromPath[int], data: JSONBody[SessionCreate]
    ) -> SessionRead:
        return await service.commit_session(principal, round_id, data)

    @get("/rounds/{round_id:int}/roadshow", opt={"permission": STAFF}, summary="The final round's roadshow session")
    async def of_round(self, principal: CurrentPrincipal, round_id: FromPath[int]) -> SessionRead:
        return await service.session_of_round(principal, round_id)

    @get("/roadshow-sessions/{roadshow_session_id:int}", opt={"permission": STAFF}, summary="A roadshow session")
    async def read(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> SessionRead:
        return await service.staff_view(principal, roadshow_session_id)

    @post(
        "/roadshow-sessions/{roadshow_session_id:int}/draw",
        opt={"permission": STAFF},
        summary="Reveal the seed and draw the presentation order",
        status_code=200,
    )
    async def draw(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> SessionRead:
        return await service.draw_order(principal, roadshow_session_id)

    @get(
        "/roadshow-sessions/{roadshow_session_id:int}/draw",
        opt={"permission": PUBLIC},
        summary="The draw's public record: seed hash, then seed, entries and order (anyone can recompute it)",
    )
    async def draw_record(self, roadshow_session_id: FromPath[int]) -> DrawRead:
        return await service.public_draw(roadshow_session_id)

    @post(
        "/roadshow-sessions/{roadshow_session_id:int}/end",
        opt={"permission": STAFF},
        summary="End the session: score sheets locked; the round closes and ranks if its deadline has passed",
        status_code=200,
    )
    async def end(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> EndRead:
        return await service.end_session(principal, roadshow_session_id)

    @post(
        "/roadshow-presentations/{roadshow_presentation_id:int}/start",
        opt={"permission": STAFF},
        summary="Start an entry's presentation (its scoring window opens)",
        status_code=200,
    )
    async def start(self, principal: CurrentPrincipal, roadshow_presentation_id: FromPath[int]) -> PresentationRead:
        return await clock.start_presentation(principal, roadshow_presentation_id)

    @post(
        "/roadshow-presentations/{roadshow_presentation_id:int}/stop",
        opt={"permission": STAFF},
        summary="Stop an entry's presentation (scoring stays open for the session's grace period)",
        status_code=200,
    )
    async def stop(self, principal: CurrentPrincipal, roadshow_presentation_id: FromPath[int]) -> PresentationRead:
        return await clock.stop_presentation(principal, roadshow_presentation_id)

    @post(
        "/roadshow-sessions/{roadshow_session_id:int}/voting/open",
        opt={"permission": STAFF},
        summary="Open the public vote",
        status_code=200,
    )
    async def open_voting(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> SessionRead:
        return await votes.set_voting(principal, roadshow_session_id, True)

    @post(
        "/roadshow-sessions/{roadshow_session_id:int}/voting/close",
        opt={"permission": STAFF},
        summary="Close the public vote",
        status_code=200,
    )
    async def close_voting(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> SessionRead:
        return await votes.set_voting(principal, roadshow_session_id, False)

    @post(
        "/roadshow-sessions/{roadshow_session_id:int}/votes",
        opt={"permission": ANY_USER},
        summary="Cast the public vote (verified accounts, once per session, rate-limited)",
    )
    async def vote(
        self,
        principal: CurrentPrincipal,
        roadshow_session_id: FromPath[int],
        data: JSONBody[VoteCreate],
        request: Request[Any, Any, Any],
    ) -> VoteRead:
        client = client_address(request.scope, get_settings())
        return await votes.cast_vote(principal, roadshow_session_id, data.application_id, client)

    @get(
        "/roadshow-sessions/{roadshow_session_id:int}/board",
        opt={"permission": STAFF},
        summary="The live ranking board (poll it, or follow /board/events)",
    )
    async def board(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> BoardRead:
        return await board.board(principal, roadshow_session_id)

    @get(
        "/roadshow-sessions/{roadshow_session_id:int}/board/events",
        opt={"permission": STAFF},
        summary="The live board as server-sent events (event: board, data: the board's JSON) until the session ends",
    )
    async def board_events(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> ServerSentEvent:
        stream = await board.board_stream(principal, roadshow_session_id)

        async def messages() -> AsyncIterator[ServerSentEventMessage]:
            async for data in stream:
                yield ServerSentEventMessage(data=data, event="board")

        return ServerSentEvent(messages())

    @get("/roadshow-sessions/mine", opt={"permission": EXPERTS}, summary="The roadshow sessions I judge, newest first")
    async def mine(
        self, principal: CurrentPrincipal, paging: Paging, request: Request[Any, Any, Any]
    ) -> Response[list[JudgeSessionRead]]:
        return page_response(await board.judge_sessions(principal, paging), request)

    @get(
        "/roadshow-sessions/{roadshow_session_id:int}/sheet",
        opt={"permission": EXPERTS},
        summary="My score sheet for the final: my entries in presentation order and whether scoring is open now",
    )
    async def sheet(self, principal: CurrentPrincipal, roadshow_session_id: FromPath[int]) -> JudgeSheet:
        return await board.judge_sheet(principal, roadshow_session_id)
