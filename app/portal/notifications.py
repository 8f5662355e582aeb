"""站内通知 pages for every signed-in user: the list, newest first with the unread ones marked, and marking one read —
through the services of GET /notifications/mine and POST /notifications/{id}/read (another user's is the 404)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.auth.principal import ANY_USER, CurrentPrincipal
from app.notifications import service
from app.paging import Paging
from app.portal.fields import next_offset
from app.portal.frame import leave_notice, page_opt, render


@get("/notifications", opt=page_opt(ANY_USER))
async def my_notifications(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await service.list_mine(principal, paging)  # the service of GET /notifications/mine
    return render(
        request,
        "notifications/list.html",
        title="站内通知",
        notifications=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


@post("/notifications/{notification_id:int}/read", opt=page_opt(ANY_USER), status_code=303)
async def mark_read(principal: CurrentPrincipal, notification_id: FromPath[int]) -> Redirect:
    await service.mark_read(principal, notification_id)  # the service of POST /notifications/{id}/read
    # Back to the entry itself, so a long list does not jump to its top.
    response = Redirect(f"/portal/notifications#notification-{notification_id}", status_code=303)
    leave_notice(response, "已标为已读")
    return response


NOTIFICATION_PAGES = [my_notifications, mark_read]
