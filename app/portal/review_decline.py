"""Declining an assignment with a declared conflict of interest (申报回避), through the service of
POST /reviews/{id}/decline: the conflict is recorded against the applicant, the assignment ends (and leaves the
expert's list) and the application is refilled from the pool. A confirmation page first, because it cannot be undone.

The API takes the reason as free text; the page offers the usual kinds of conflict in Chinese and sends the kind's
wording with the expert's own explanation as that text, so the officer reads the same reason either way."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import EXPERTS, CurrentPrincipal
from app.errors import DomainError
from app.portal.fields import FieldErrors, domain_errors, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.workflow.definition import EXPERT
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.assignments.schemas import ReasonBody
from scoring.reviews import reviewing, service
from scoring.reviews.schemas import ExpertAssignmentView

CONFLICT_KINDS = {
    "employment": "本人在申报单位任职、兼职，或担任其理事、监事、顾问",
    "relative": "本人的近亲属在申报单位任职或担任负责人",
    "cooperation": "近三年与申报单位有合作、资助或其他经济往来",
    "involvement": "本人参与过该项目的策划、辅导或申报材料的撰写",
    "other": "其他可能影响公正评审的关系",
}
FIELDS = ("kind", "detail", "reason")


def reason_of(kind: str, detail: str) -> str:
    """The free text the API records: the kind's wording, then the expert's explanation."""
    wording = CONFLICT_KINDS.get(kind, "")
    return f"{wording}：{detail}" if wording and detail else wording or detail


def _page(
    request: Request[Any, Any, Any],
    view: ExpertAssignmentView,
    values: dict[str, str],
    errors: FieldErrors,
    status: int = 200,
) -> Template:
    return render(
        request,
        "reviews/decline.html",
        status=status,
        title=f"申报回避：{view.title}",
        view=view,
        kinds=list(CONFLICT_KINDS.items()),
        values=values,
        errors=errors,
        status_zh=REVIEW_ASSIGNMENT.states.get(view.status, ""),
        declinable=REVIEW_ASSIGNMENT.permits(view.status, "decline", EXPERT)[0],
    )


@get("/reviews/{assignment_id:int}/decline", opt=page_opt(EXPERTS))
async def decline_page(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, assignment_id: FromPath[int]
) -> Template:
    view = await service.expert_view(principal, assignment_id)  # another expert's assignment → the uniform 404
    return _page(request, view, {"kind": "", "detail": ""}, {})


@post("/reviews/{assignment_id:int}/decline", opt=page_opt(EXPERTS), status_code=303)
async def decline_submit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, assignment_id: FromPath[int]
) -> Template | Redirect:
    view = await service.expert_view(principal, assignment_id)
    form = await request.form()
    values = {"kind": str(form.get("kind", "")), "detail": str(form.get("detail", "")).strip()}
    if values["kind"] not in CONFLICT_KINDS:
        return _page(request, view, values, {"kind": "请选择回避原因"}, 422)
    try:
        data = ReasonBody.model_validate({"reason": reason_of(values["kind"], values["detail"])})
        await reviewing.decline(principal, assignment_id, data.reason)  # the service of POST /reviews/{id}/decline
    except ValidationError as error:
        errors = pydantic_errors(error, FIELDS)
        return _page(request, view, values, {"detail": errors.pop("reason", ""), **errors}, 422)
    except DomainError as error:
        if error.status == 404:
            raise
        return _page(request, view, values, domain_errors(error, FIELDS), error.status)
    response = Redirect("/portal/reviews", status_code=303)
    leave_notice(response, "已申报回避：该评审任务已从您的列表中移除，项目将另行分配评审专家")
    return response


DECLINE_PAGES = [decline_page, decline_submit]
