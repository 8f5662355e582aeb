"""In-app notifications for the signed-in user."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery

from app.auth.principal import ANY_USER, CurrentPrincipal, provide_principal
from app.notifications import service
from app.notifications.schemas import NotificationRead
from app.paging import Paging, page_response


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/mine", opt={"permission": ANY_USER}, summary="My notifications, newest first (站内通知)")
    async def mine(
        self,
        principal: CurrentPrincipal,
        paging: Paging,
        request: Request[Any, Any, Any],
        unread_only: FromQuery[bool] = False,
    ) -> Response[list[NotificationRead]]:
        return page_response(await service.list_mine(principal, paging, unread_only=unread_only), request)

    @post("/{notification_id:int}/read", opt={"permission": ANY_USER}, summary="Mark one as read", status_code=204)
    async def mark_read(self, principal: CurrentPrincipal, notification_id: FromPath[int]) -> None:
        await service.mark_read(principal, notification_id)
