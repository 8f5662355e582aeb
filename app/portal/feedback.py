"""评审反馈 page of an application (申报单位): what the API's GET /applications/{id}/feedback answers once the round's
公示 has ended — per-criterion means and ranges, the comments experts chose to share, the rank band, the next step.
Before that the service refuses (``feedback_not_available``) and the page shows only its message."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from app.auth.principal import APPLICANTS, CurrentPrincipal
from app.errors import DomainError
from app.portal.frame import page_opt, render
from scoring.feedback import service


@get("/applications/{application_id:int}/feedback", opt=page_opt(APPLICANTS))
async def feedback_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, application_id: FromPath[int]
) -> Template:
    try:
        feedback = await service.feedback(principal, application_id)  # another organisation's: the uniform 404
    except DomainError as error:
        if error.status == 404:
            raise
        return render(
            request,
            "after/feedback.html",
            status=error.status,
            title="评审反馈",
            application_id=application_id,
            feedback=None,
            message=error.detail,
        )
    return render(
        request,
        "after/feedback.html",
        title=f"评审反馈：{feedback.title}",
        application_id=application_id,
        feedback=feedback,
        message=None,
    )


FEEDBACK_PAGES = [feedback_page]
