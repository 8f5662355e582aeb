"""In-app notifications for the signed-in user."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel

from app.auth.principal import ANY_USER, CurrentPrincipal, provide_principal
from app.errors import not_found
from app.notifications import Notification
from app.timezone import now_utc


class NotificationRead(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/mine", opt={"permission": ANY_USER}, summary="My notifications, newest first (站内通知)")
    async def mine(self, principal: CurrentPrincipal, unread_only: FromQuery[bool] = False) -> list[NotificationRead]:
        query = Notification.select().where(Notification.user == principal.user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_null())
        rows = await query.order_by(Notification.id, ascending=False).limit(200)
        return [
            NotificationRead(
                id=r["id"],
                kind=r["kind"],
                title=r["title"],
                body=r["body"],
                created_at=r["created_at"],
                read_at=r["read_at"],
            )
            for r in rows
        ]

    @post("/{notification_id:int}/read", opt={"permission": ANY_USER}, summary="Mark one as read", status_code=204)
    async def mark_read(self, principal: CurrentPrincipal, notification_id: FromPath[int]) -> None:
        updated = (
            await Notification.update({Notification.read_at: now_utc()})
            .where((Notification.id == notification_id) & (Notification.user == principal.user_id))
            .returning(Notification.id)
        )
        if not updated:
            raise not_found("通知")
