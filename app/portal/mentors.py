"""The mentor's meeting log (导师辅导记录): a mentor (an expert) sees their mentorships, the meetings logged so far
and logs a new one — through the services of GET /mentors/mentorships, GET /mentors/mentorships/{id}(/meetings) and
POST /mentors/mentorships/{id}/meetings, validated with the API's MeetingWrite (date, topic, advice, follow-ups).
Another mentor's mentorship is the uniform 404."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import EXPERTS, CurrentPrincipal
from app.errors import DomainError
from app.paging import Paging
from app.portal.fields import FieldErrors, domain_errors, form_values, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.timezone import today_shanghai
from programmes.workflows.mentorship import MENTORSHIP
from scoring.mentors import service
from scoring.mentors.schemas import MeetingWrite

MEETING_FIELDS = ("met_on", "topic", "advice", "follow_ups")


@get("/mentorships", opt=page_opt(EXPERTS))
async def my_mentorships(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await service.list_for(principal, paging, None)  # the service of GET /mentors/mentorships
    return render(
        request,
        "mentors/list.html",
        title="导师辅导记录",
        mentorships=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _mentorship_page(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    mentorship_id: int,
    paging: Paging,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    mentorship = await service.read_for(principal, mentorship_id)  # another mentor's → the uniform 404
    meetings = await service.meetings(principal, mentorship_id, paging)
    return render(
        request,
        "mentors/detail.html",
        status=status,
        title=f"辅导记录：{mentorship.application_title}",
        mentorship=mentorship,
        meetings=meetings.items,
        total=meetings.total,
        next_offset=next_offset(paging, meetings.has_more),
        limit=paging.limit,
        live=MENTORSHIP.has(mentorship.status, "live"),
        values=values or {"met_on": today_shanghai().isoformat(), "topic": "", "advice": "", "follow_ups": ""},
        errors=errors or {},
        today=today_shanghai().isoformat(),
    )


@get("/mentorships/{mentorship_id:int}", opt=page_opt(EXPERTS))
async def mentorship_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, mentorship_id: FromPath[int], paging: Paging
) -> Template:
    return await _mentorship_page(request, principal, mentorship_id, paging)


@post("/mentorships/{mentorship_id:int}/meetings", opt=page_opt(EXPERTS), status_code=303)
async def log_meeting(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, mentorship_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    await service.read_for(principal, mentorship_id)  # another mentor's → the uniform 404 before reading the form
    values = form_values(await request.form(), MEETING_FIELDS)
    try:
        data = MeetingWrite.model_validate(values)
        await service.log_meeting(principal, mentorship_id, data)  # the service of POST …/meetings
    except ValidationError as error:
        errors = pydantic_errors(error, MEETING_FIELDS)
        return await _mentorship_page(request, principal, mentorship_id, paging, values, errors, 422)
    except DomainError as error:
        if error.status == 404:
            raise
        errors = domain_errors(error, MEETING_FIELDS)
        return await _mentorship_page(request, principal, mentorship_id, paging, values, errors, error.status)
    response = Redirect(f"/portal/mentorships/{mentorship_id}", status_code=303)
    leave_notice(response, "辅导记录已保存")
    return response


MENTOR_PAGES = [my_mentorships, mentorship_page, log_meeting]
