"""The final's live scoring page (路演现场评分) for a judge on a phone: the presentation now on stage, large score
buttons per criterion, and a submit through the service of POST /reviews/{id}/submit — which refuses a score outside
the presentation's window (``scoring.roadshow.window``) with its own Chinese message, so the page holds no rule of
its own about time. The judge's sheet is the service of GET /roadshow-sessions/{id}/sheet; a small script polls
``/stage`` and brings the next presentation in when the officer starts it."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import EXPERTS, CurrentPrincipal
from app.errors import DomainError, not_found
from app.paging import Paging
from app.portal.fields import next_offset
from app.portal.frame import leave_notice, page_opt, render
from app.portal.reviews import NA_FIELD, SCORE_FIELD, draft_body, entered_of, entered_of_form, errors_by_field
from app.validation_messages import pydantic_error
from programmes.workflows.review import REVIEW_ASSIGNMENT, ReviewAssignmentStatus
from programmes.workflows.roadshow import ROADSHOW_SESSION
from scoring.reviews import reviewing, service
from scoring.reviews.schemas import ExpertAssignmentView, ExpertCriterion, ReviewDraft
from scoring.roadshow import board
from scoring.roadshow.schemas import JudgeSheet, JudgeSlot
from scoring.roadshow.window import PRESENTATION_STATES_ZH

NOT_APPLICABLE = "na"  # the score button that stands for 不适用
POLL_SECONDS = 5
ON_STAGE = ("presenting", "grace")  # PresentationRead.state while its scoring window is open, the stage first


def score_steps(criterion: ExpertCriterion) -> list[int]:
    """The buttons of a criterion: every point up to 10, else tenths of the range, plus the rubric's anchor scores
    (the judge picks a level live; the range itself stays the API's, checked on submit)."""
    top = criterion.max_score
    steps = set(range(0, top + 1, 1 if top <= 10 else max(1, top // 10))) | {top}
    steps |= {int(k) for k in criterion.anchors if k.isdigit() and int(k) <= top}
    return sorted(steps)


def on_stage(sheet: JudgeSheet) -> JudgeSlot | None:
    """The judge's slot now presenting, else the last one still in its grace period."""
    for state in ON_STAGE:
        found = [slot for slot in sheet.slots if slot.presentation.state == state]
        if found:
            return found[-1]
    return None


def stage_key(sheet: JudgeSheet) -> str:
    """What the page shows, in short: the script reloads the page when the server's key differs from the page's."""
    slot = on_stage(sheet)
    now = f"{slot.presentation.id}-{slot.presentation.state}-{slot.review_status}" if slot else "none"
    return hashlib.sha256(f"{sheet.status}:{now}".encode()).hexdigest()[:16]  # opaque: no codes on the page


@get("/roadshow", opt=page_opt(EXPERTS))
async def my_sessions(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await board.judge_sessions(principal, paging)  # the service of GET /roadshow-sessions/mine
    return render(
        request,
        "roadshow/list.html",
        title="路演现场评分",
        sessions=page.items,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


@get("/roadshow/{session_id:int}", opt=page_opt(EXPERTS))
async def live_page(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    session_id: FromPath[int],
    presentation: FromQuery[int | None] = None,
) -> Template:
    sheet = await board.judge_sheet(principal, session_id)  # not a judge of this session → the uniform 404
    chosen = next((s for s in sheet.slots if s.presentation.id == presentation), None) or on_stage(sheet)
    return await _live(request, principal, sheet, chosen)


@get("/roadshow/{session_id:int}/stage", opt=page_opt(EXPERTS))
async def live_stage(principal: CurrentPrincipal, session_id: FromPath[int]) -> dict[str, str]:
    """Polled by the live page's script: cheap (the sheet only), and nothing in it names an applicant."""
    return {"stage": stage_key(await board.judge_sheet(principal, session_id))}


@post("/roadshow/{session_id:int}", opt=page_opt(EXPERTS), status_code=303)
async def live_score(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, session_id: FromPath[int]
) -> Template | Redirect:
    sheet = await board.judge_sheet(principal, session_id)
    form = await request.form()
    wanted = str(form.get("assignment_id", ""))
    slot = next((s for s in sheet.slots if str(s.assignment_id) == wanted), None)
    if slot is None:  # not one of this judge's entries in this session
        raise not_found("评审任务")
    view = await service.expert_view(principal, slot.assignment_id)
    entered = entered_of_form(view, _buttons_as_fields(view, form))
    try:
        # The service of POST /reviews/{id}/submit: the rubric's rules, then the presentation's window.
        await reviewing.submit(principal, slot.assignment_id, ReviewDraft.model_validate(draft_body(entered)))
    except ValidationError as error:
        problems = [pydantic_error(e) for e in error.errors()]
        return await _live(request, principal, sheet, slot, entered, 422, "评分未提交，请按提示修改", problems)
    except DomainError as error:
        if error.status == 404:
            raise
        problems = [{"field": f.field, "message": f.message} for f in error.errors]
        return await _live(request, principal, sheet, slot, entered, error.status, error.detail, problems)
    response = Redirect(f"/portal/roadshow/{session_id}", status_code=303)
    leave_notice(response, f"已提交第 {slot.presentation.position} 位项目的评分")
    return response


def _buttons_as_fields(view: ExpertAssignmentView, form: Any) -> dict[str, Any]:
    """The score buttons in the scoring form's field names: the 不适用 button is the N/A tick."""
    fields: dict[str, Any] = {key: form.get(key) for key in form}
    for criterion in view.criteria:
        if fields.get(SCORE_FIELD + criterion.code) == NOT_APPLICABLE:
            fields.pop(SCORE_FIELD + criterion.code)
            fields[NA_FIELD + criterion.code] = "1"
    return fields


async def _live(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    sheet: JudgeSheet,
    focus: JudgeSlot | None,
    entered: dict[str, Any] | None = None,
    status: int = 200,
    error: str | None = None,
    problems: list[dict[str, str]] | None = None,
) -> Template:
    view = await service.expert_view(principal, focus.assignment_id) if focus else None
    pending = focus is not None and focus.review_status == ReviewAssignmentStatus.assigned
    upcoming = next((s for s in sheet.slots if s.presentation.state == "waiting"), None)
    return render(
        request,
        "roadshow/live.html",
        status=status,
        title="路演现场评分",
        sheet=sheet,
        session_zh=ROADSHOW_SESSION.states.get(sheet.status, ""),
        focus=focus,
        view=view,
        upcoming=upcoming,
        # The sheet's own answer to "may I score now"; a submit that loses the race to the clock is refused anyway.
        presenting=focus is not None and focus.presentation.state == ON_STAGE[0],
        pending=pending,
        scorable=pending and focus is not None and focus.scoring_open,
        entered=entered or (entered_of(view) if view else None),
        error=error,
        errors=errors_by_field(problems or []),
        stage=stage_key(sheet),
        poll_seconds=POLL_SECONDS,
        steps=score_steps,
        states_zh=PRESENTATION_STATES_ZH,
        review_zh=REVIEW_ASSIGNMENT.states,
    )


ROADSHOW_PAGES = [my_sessions, live_page, live_stage, live_score]
