"""Officer actions on applications, one by one or in bulk: return for revision, reject, advance, select, approve …

Each application is moved in its own transaction so one refusal does not undo the others; the caller gets a
result per application — also for a refusal that applies to all of them (unknown action, missing reason), which
is checked before an application is touched. The workflow of the programme kind decides which actions exist and
who may take them.
"""

from __future__ import annotations

import logging
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import GENERIC, DomainError
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.access import APPLICATIONS  # noqa: F401 — declares the policy load() reads
from programmes.applications.notify import notify_status_change
from programmes.applications.schemas import ActionResult, ApplicationRead
from programmes.ports import review_side
from programmes.stages.advance import move_on
from programmes.tables import Application
from programmes.workflows import APPLICATION, application_action_label

log = logging.getLogger(__name__)

# Only the workflows' ``bulk`` steps may be taken here (``requires_reason`` ones carry a reason the applicant sees).
# Others have their own operation that does more than move the status (award obligates money, start_review
# assigns experts, reopen_review answers an objection).


def _check_request(action: str, reason: str) -> None:
    # Before any read or write: a refusal of the request itself changes nothing. (The reason's length is bounded
    # by the schemas to what the audit column holds; a longer one used to fail half-way through with a 500.)
    if action not in APPLICATION.bulk_actions():
        label = application_action_label(action)
        detail = f"「{label}」须通过其专门的业务流程办理" if label else "不支持的申报操作"
        raise DomainError("action_not_available_here", detail, 422)
    if APPLICATION.requires_reason(action) and not reason.strip():
        raise DomainError("reason_required", "此操作须填写原因", 422)


async def act(principal: Principal, application_id: int, action: str, reason: str = "") -> ApplicationRead:
    """Officer in scope takes ``action`` on one application."""
    _check_request(action, reason)
    row = await load(
        principal, Application, application_id, columns=(Application.id, Application.round, Application.scope_district)
    )
    workflow, _ = await repository.workflow_of(application_id)
    values: dict[str, Any] = {"returned_reason": reason.strip()} if action == "return_for_revision" else {}
    if action in ("advance", "select"):  # a tie at a quota's cut line is the officer's recorded decision (issue 11)
        await review_side().ensure_past_cut_line(application_id)
    if action == "advance":
        # The one advance path (programmes.stages.advance): the entry is carried into the next stage, if any.
        await move_on(Actor.of(principal), row["round"], [application_id])
        return await repository.read(application_id, frozen=True)
    async with unit_of_work(Actor.of(principal)) as uow:
        result = await uow.transition(
            Application, application_id, action, values=values, reason=reason.strip(), workflow=workflow
        )
        await notify_status_change(application_id, workflow, result.after)
    return await repository.read(application_id, frozen=True)


async def act_in_bulk(
    principal: Principal, application_ids: list[int], action: str, reason: str = ""
) -> list[ActionResult]:
    """Officer takes ``action`` on each application; the answer has one result per application, in order.

    Each application commits on its own, so the result list is the whole truth: an item that failed (a refusal
    or an unexpected error) is reported as failed and left unchanged, and never turns the answer into a 500
    after earlier items were committed.
    """
    results: list[ActionResult] = []
    for application_id in application_ids:
        try:
            row = await act(principal, application_id, action, reason)
            results.append(ActionResult(application_id=application_id, ok=True, status=row.status))
        except DomainError as error:
            results.append(ActionResult(application_id=application_id, ok=False, code=error.code, detail=error.detail))
        except Exception:  # noqa: BLE001 — reported per item (its transaction rolled back), logged for operators
            log.exception("bulk action %s failed on application %s", action, application_id)
            code, detail = GENERIC[500]
            results.append(ActionResult(application_id=application_id, ok=False, code=code, detail=detail))
    return results
