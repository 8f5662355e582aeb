"""The expert's pages (评审专家): the assignments, one application laid out by its form's labels with the rubric,
and saving or submitting the scores — each through the service the API's /reviews routes call, so a blind round is
stripped exactly as the API strips it and every scoring rule (range, N/A, comment threshold, window) is the API's."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import ValidationError

from app.auth.principal import EXPERTS, CurrentPrincipal
from app.errors import DomainError
from app.paging import Paging
from app.portal.fields import next_offset
from app.portal.frame import leave_notice, page_opt, render
from app.portal.review_files import files_for, size_shown
from app.validation_messages import pydantic_error
from programmes.answers_layout import render_answers
from programmes.tables import Application
from programmes.workflows.review import REVIEW_ASSIGNMENT, ReviewAssignmentStatus
from scoring.reviews import reviewing, service
from scoring.reviews.schemas import ExpertAssignmentView, ExpertCriterion, ReviewDraft
from scoring.roadshow.window import live_session_of

SCORE_FIELD = "score."  # the form's score inputs: score.<criterion code>
NA_FIELD = "na."  # the N/A ticks: na.<criterion code>


def status_zh(status: str) -> str:
    return REVIEW_ASSIGNMENT.states.get(status, status)


@get("/reviews", opt=page_opt(EXPERTS))
async def my_reviews(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await service.my_assignments(principal, paging)  # the service of GET /reviews/mine
    return render(
        request,
        "reviews/list.html",
        title="我的评审任务",
        assignments=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        status_zh=status_zh,
    )


@get("/reviews/{assignment_id:int}", opt=page_opt(EXPERTS))
async def review_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, assignment_id: FromPath[int]
) -> Template:
    view = await service.expert_view(principal, assignment_id)  # the service of GET /reviews/{id}; others' → 404
    return await _review(request, principal, view, entered=entered_of(view))


@post("/reviews/{assignment_id:int}", opt=page_opt(EXPERTS), status_code=303)
async def review_save(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, assignment_id: FromPath[int]
) -> Template | Redirect:
    """One form, two buttons: 保存草稿 (PUT /reviews/{id}/draft) and 提交评分 (POST /reviews/{id}/submit)."""
    view = await service.expert_view(principal, assignment_id)  # another expert's assignment → the uniform 404
    form = await request.form()
    entered = entered_of_form(view, form)
    body = draft_body(entered)
    submitting = form.get("action") == "submit"
    try:
        data = ReviewDraft.model_validate(body)
        if submitting:
            await reviewing.submit(principal, assignment_id, data)
        else:
            await reviewing.save_draft(principal, assignment_id, data)
    except ValidationError as error:
        problems = [pydantic_error(e) for e in error.errors()]
        return await _review(
            request, principal, view, entered, 422, "评分未保存，请按提示修改", errors_by_field(problems)
        )
    except DomainError as error:
        if error.status == 404:
            raise
        problems = [{"field": f.field, "message": f.message} for f in error.errors]
        return await _review(request, principal, view, entered, error.status, error.detail, errors_by_field(problems))
    response = Redirect(f"/portal/reviews/{assignment_id}", status_code=303)
    leave_notice(response, "评分已提交" if submitting else "草稿已保存")
    return response


def entered_of(view: ExpertAssignmentView) -> dict[str, Any]:
    scores = {c.code: ("" if view.scores.get(c.code) is None else str(view.scores[c.code])) for c in view.criteria}
    na = {c.code for c in view.criteria if c.code in view.scores and view.scores[c.code] is None}
    return {"scores": scores, "na": na, "comment": view.comment, "comment_shareable": view.comment_shareable}


def entered_of_form(view: ExpertAssignmentView, form: Any) -> dict[str, Any]:
    """What the expert typed, as the API's body would carry it: N/A → null, a whole number → an integer, anything
    else as typed (so the API's model refuses it with its own message)."""
    scores: dict[str, Any] = {}
    na: set[str] = set()
    for criterion in view.criteria:
        code = criterion.code
        if form.get(NA_FIELD + code):
            scores[code] = None
            na.add(code)
            continue
        text = str(form.get(SCORE_FIELD + code, "")).strip()
        scores[code] = int(text) if text.lstrip("-").isdigit() and len(text) < 10 else text
    return {
        "scores": scores,
        "na": na,
        "comment": str(form.get("comment", "")),
        "comment_shareable": bool(form.get("comment_shareable")),
    }


def draft_body(entered: dict[str, Any]) -> dict[str, Any]:
    """The API's ReviewDraft body of what was entered: a criterion left empty is left out (a draft may be partial)."""
    return {
        "scores": {code: value for code, value in entered["scores"].items() if value != ""},
        "comment": entered["comment"],
        "comment_shareable": entered["comment_shareable"],
    }


def errors_by_field(problems: list[dict[str, str]]) -> dict[str, str]:
    """Errors keyed by what they stand next to: a criterion's code, ``comment``, or ``""`` for the page's top."""
    out: dict[str, str] = {}
    for problem in problems:
        field = problem["field"]
        key = field.removeprefix("scores.") if field.startswith("scores.") else field if field == "comment" else ""
        out.setdefault(key, problem["message"])
    return out


async def _review(
    request: Request[Any, Any, Any],
    principal: CurrentPrincipal,
    view: ExpertAssignmentView,
    entered: dict[str, Any],
    status: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    return render(
        request,
        "reviews/detail.html",
        status=status,
        title=f"评审：{view.title}",
        view=view,
        answers=Markup(render_answers(await _schema_of(view.application_id), view.answers)),  # noqa: S704 — escaped
        entered=entered,
        error=error,
        errors=errors or {},
        editable=view.status == ReviewAssignmentStatus.assigned,
        status_zh=status_zh,
        anchors_of=anchors_of,
        files=await files_for(view, principal),
        size_shown=size_shown,
        live_session=await live_session_of(view.application_id, lock=False),
    )


def anchors_of(criterion: ExpertCriterion) -> list[tuple[str, str]]:
    """The anchor texts from the top score down (JSONB keeps its keys in its own order: "100" after "90")."""
    return sorted(criterion.anchors.items(), key=lambda item: -int(item[0]) if item[0].isdigit() else 0)


async def _schema_of(application_id: int) -> dict[str, Any] | None:
    """The labels and order of the form version the application was submitted against (labels only: the answers
    shown are the service's, already stripped in a blind round)."""
    row = (
        await Application.select(Application.form_version._.json_schema.as_alias("schema"))
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    schema = row["schema"] if row else None
    return schema if isinstance(schema, dict) else None


REVIEW_PAGES = [my_reviews, review_page, review_save]
